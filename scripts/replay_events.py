#!/usr/bin/env python3
"""Replays every sample event in events/<function>/ through `cargo lambda invoke` and checks it.

What it starts (and stops again, whatever happens):
  - moto_server on a free 127.0.0.1 port: DynamoDB (the three tables of docs/contract.md, the
    inventory seeded from events/inventory-seed.json) and a stand-in Step Functions API (a state
    machine named OrderFulfillment, so submit-order can start executions and decide-approval can
    send task results);
  - `cargo lambda watch` on another free 127.0.0.1 port, with the table names, the endpoints
    (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN) and dummy credentials in its environment.

Each events/<function>/<name>.json is invoked as `cargo lambda invoke <function> --data-file ...`
and checked against <name>.expect.json:
  {"output": {...}}     the answer must contain these fields (recursively; lists compare whole)
  {"body": {...}}       for HTTP functions: the answer's JSON body must contain these fields
  {"errorType": "X"}    the invocation must fail with Lambda errorType X
Functions run in the workflow's order (validate-order first: its samples create the orders the
later samples use), each function's events in file-name order. Prints one line per event and
`N passed, M failed`; exits non-zero on any failure.

Usage: scripts/replay_events.py [--only FUNCTION ...] [--keep-logs]
       scripts/replay_events.py --serve   # set everything up, print how to invoke, wait for Ctrl-C
Needs: cargo-lambda, moto_server and boto3 (scripts/dev-env.sh installs them).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = os.path.join(ROOT, "events")

# The workflow's order: earlier samples create the state later ones rely on.
FUNCTION_ORDER = [
    "validate-order",
    "request-approval",
    "reserve-item",
    "release-item",
    "charge-payment",
    "refund-payment",
    "create-shipment",
    "send-notification",
    "award-loyalty-points",
    "complete-order",
    "record-failure",
    "submit-order",
    "decide-approval",
    "on-execution-status",
]
NOT_FUNCTIONS = {"orders"}

REGION = "us-east-1"
STATE_MACHINE_NAME = "OrderFulfillment"
# The first invocation of a function compiles it; later ones answer in milliseconds.
FIRST_INVOKE_TIMEOUT = 1800
INVOKE_TIMEOUT = 120


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


def start(cmd, env, log_path):
    """Starts a process in its own process group (so its children can be stopped with it)."""
    log_file = open(log_path, "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log_file = log_file
    return process


def stop(process):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    finally:
        process.log_file.close()


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


# ---- local AWS -----------------------------------------------------------------------------


def set_up_aws(endpoint, prefix):
    import boto3  # installed by scripts/dev-env.sh (requirements-dev.txt)

    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    tables = {
        "ORDERS_TABLE": (f"{prefix}-orders", "orderId"),
        "INVENTORY_TABLE": (f"{prefix}-inventory", "sku"),
        "PAYMENTS_TABLE": (f"{prefix}-payments", "orderId"),
    }
    for name, key in tables.values():
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        )
    with open(os.path.join(EVENTS, "inventory-seed.json"), encoding="utf-8") as f:
        seed = json.load(f)
    for item in seed:
        dynamodb.put_item(
            TableName=tables["INVENTORY_TABLE"][0],
            Item={
                "sku": {"S": item["sku"]},
                "available": {"N": str(item["available"])},
                "reserved": {"N": str(item.get("reserved", 0))},
            },
        )

    # moto's Step Functions stores executions without running them: enough for submit-order
    # (StartExecution is idempotent per name and input there too) and decide-approval.
    sfn = session.client("stepfunctions", endpoint_url=endpoint)
    machine = sfn.create_state_machine(
        name=STATE_MACHINE_NAME,
        definition=json.dumps({"StartAt": "Stub", "States": {"Stub": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/order-fulfillment-replay",
    )
    env = {key: name for key, (name, _) in tables.items()}
    env["STATE_MACHINE_ARN"] = machine["stateMachineArn"]
    return env, len(seed)


# ---- invoking and checking -----------------------------------------------------------------

# miette prints the Lambda errorType as the diagnostic's code, e.g. "Error: OutOfStock" or
# "  × ... [OutOfStock]" depending on the renderer; accept either.
ERROR_TYPE_PATTERNS = [
    re.compile(r"^\s*Error:\s+([A-Za-z][A-Za-z0-9_.]*)\s*$", re.M),
    re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.]*)\s*$\n\s*\n?\s*[×x]\s", re.M),
]


def invoke(function, event_path, port, timeout):
    cmd = [
        "cargo", "lambda", "invoke", function,
        "--invoke-address", "127.0.0.1", "--invoke-port", str(port),
        "--data-file", event_path, "--output-format", "json", "--color", "never",
    ]
    env = dict(os.environ, NO_COLOR="1", CLICOLOR="0", TERM="dumb")
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode == 0:
        try:
            return {"ok": json.loads(result.stdout)}
        except json.JSONDecodeError:
            return {"broken": f"answer is not JSON: {result.stdout[:500]!r}"}
    text = result.stderr + result.stdout
    for pattern in ERROR_TYPE_PATTERNS:
        match = pattern.search(text)
        if match:
            return {"error": match.group(1), "text": text}
    return {"broken": f"invoke failed without an errorType:\n{text[-2000:]}"}


def contains(actual, expected, path="$"):
    """Returns None when `expected` is a subset of `actual`, else a description of the mismatch."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {json.dumps(actual)[:200]}"
        for key, value in expected.items():
            if key not in actual:
                return f"{path}.{key}: missing (answer has {sorted(actual)})"
            problem = contains(actual[key], value, f"{path}.{key}")
            if problem:
                return problem
        return None
    if actual != expected or type(actual) is not type(expected):
        return f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)[:200]}"
    return None


def check(answer, expect):
    if "broken" in answer:
        return answer["broken"]
    if "errorType" in expect:
        if "error" not in answer:
            return f"expected error {expect['errorType']}, got {json.dumps(answer['ok'])[:300]}"
        if answer["error"] != expect["errorType"]:
            return f"expected error {expect['errorType']}, got {answer['error']}: {answer['text'][-500:]}"
        return None
    if "error" in answer:
        return f"expected success, got error {answer['error']}: {answer['text'][-500:]}"
    output = answer["ok"]
    problem = contains(output, expect.get("output", {}))
    if problem:
        return problem
    if "body" in expect:
        raw = output.get("body") if isinstance(output, dict) else None
        try:
            body = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            return f"body is not JSON: {raw!r:.200}"
        problem = contains(body, expect["body"], "body")
        if problem:
            return problem
    return None


def sample_files(function):
    folder = os.path.join(EVENTS, function)
    names = sorted(
        n for n in os.listdir(folder) if n.endswith(".json") and not n.endswith(".expect.json")
    )
    return [os.path.join(folder, n) for n in names]


def functions_to_replay(only):
    present = sorted(
        d for d in os.listdir(EVENTS)
        if os.path.isdir(os.path.join(EVENTS, d)) and d not in NOT_FUNCTIONS
    )
    ordered = [f for f in FUNCTION_ORDER if f in present] + [f for f in present if f not in FUNCTION_ORDER]
    if only:
        unknown = set(only) - set(ordered)
        if unknown:
            raise SystemExit(f"replay: no events for {sorted(unknown)}")
        ordered = [f for f in ordered if f in only]
    return ordered


def replay(functions, port):
    passed = failed = 0
    for function in functions:
        first = True
        for event_path in sample_files(function):
            name = os.path.relpath(event_path, ROOT)
            expect_path = event_path[: -len(".json")] + ".expect.json"
            if not os.path.exists(expect_path):
                failed += 1
                log(f"FAIL {name}: no {os.path.basename(expect_path)}")
                continue
            with open(expect_path, encoding="utf-8") as f:
                expect = json.load(f)
            try:
                answer = invoke(function, event_path, port, FIRST_INVOKE_TIMEOUT if first else INVOKE_TIMEOUT)
            except subprocess.TimeoutExpired:
                answer = {"broken": "cargo lambda invoke timed out"}
            first = False
            problem = check(answer, expect)
            if problem:
                failed += 1
                log(f"FAIL {name}: {problem}")
            else:
                passed += 1
                log(f"ok   {name}")
    return passed, failed


# ---- local services ------------------------------------------------------------------------


class LocalServices:
    """moto_server (tables seeded) and `cargo lambda watch` on free loopback ports; stops both."""

    def __init__(self, logs, prefix):
        self.logs = logs
        self.prefix = prefix
        self.moto = self.watch = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__()
            raise

    def _start(self):
        moto_port = free_port()
        self.moto = start(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)], dict(os.environ),
                          os.path.join(self.logs, "moto.log"))
        wait_for_port(moto_port, self.moto, 60, "moto_server")
        self.endpoint = f"http://127.0.0.1:{moto_port}"
        # moto answers before its routes are warm; one cheap call makes sure it is ready.
        urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=30).close()
        self.function_env, self.seeded = set_up_aws(self.endpoint, self.prefix)
        env = dict(
            os.environ,
            AWS_ENDPOINT_URL_DYNAMODB=self.endpoint,
            AWS_ENDPOINT_URL_SFN=self.endpoint,
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            RUST_LOG=os.environ.get("RUST_LOG", "warn"),
            **self.function_env,
        )
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        self.watch_port = free_port()
        env_flags = []
        for key in sorted(self.function_env) + ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SFN", "AWS_REGION"]:
            env_flags += ["--env-var", f"{key}={env[key]}"]
        self.watch = start(
            # --ignore-changes: a run checks one state of the code; a reload mid-run (an editor
            # saving a file) would only restart the build.
            ["cargo", "lambda", "watch", "--ignore-changes",
             "--invoke-address", "127.0.0.1", "--invoke-port", str(self.watch_port)]
            + env_flags,
            env,
            os.path.join(self.logs, "watch.log"),
        )
        wait_for_port(self.watch_port, self.watch, 600, "cargo lambda watch")
        return self

    def alive(self):
        return self.watch.poll() is None and self.moto.poll() is None

    def __exit__(self, *_exc):
        stop(self.watch)
        stop(self.moto)
        return False


def require_tools():
    for tool in ("cargo-lambda", "moto_server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found on PATH (scripts/dev-env.sh --with-cargo-lambda installs it)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", metavar="FUNCTION", help="replay only these functions")
    parser.add_argument("--keep-logs", action="store_true", help="keep the moto and watch logs")
    parser.add_argument("--serve", action="store_true",
                        help="only start moto_server and cargo lambda watch, and wait (for manual invokes)")
    args = parser.parse_args()
    # Stopped from outside (CI timeout, kill): still stop moto_server and cargo lambda watch.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    require_tools()
    functions = functions_to_replay(args.only)

    logs = tempfile.mkdtemp(prefix="replay-events-")
    status = 1
    try:
        with LocalServices(logs, f"replay{os.getpid()}") as services:
            log(f"replay: moto_server on {services.endpoint}: 3 tables, {services.seeded} SKUs seeded, "
                f"state machine {STATE_MACHINE_NAME}")
            log(f"replay: cargo lambda watch on 127.0.0.1:{services.watch_port}; replaying {len(functions)} functions")
            if args.serve:
                log(f"replay: serving; logs in {logs}. Try:\n  cargo lambda invoke validate-order --invoke-address "
                    f"127.0.0.1 --invoke-port {services.watch_port} --data-file events/validate-order/01-valid-ord-1001.json\n"
                    f"  (DynamoDB and Step Functions: {services.endpoint}; tables {services.function_env}). Ctrl-C stops.")
                try:
                    while services.alive():
                        time.sleep(1)
                except KeyboardInterrupt:
                    pass
                return 0
            passed, failed = replay(functions, services.watch_port)
            if failed:
                log("replay: last lines of cargo lambda watch's log:\n" + tail(os.path.join(logs, "watch.log")))
            log(f"{passed} passed, {failed} failed")
            status = 0 if failed == 0 else 1
    except Exception as error:  # noqa: BLE001 - report any set-up failure, then clean up
        log(f"replay: {error}")
        for name in ("moto.log", "watch.log"):
            text = tail(os.path.join(logs, name))
            if text:
                log(f"replay: last lines of {name}:\n{text}")
        status = 1
    finally:
        if args.keep_logs:
            log(f"replay: logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
