#!/usr/bin/env python3
"""Runs one sample order through the whole OrderFulfillment workflow, locally, with the real functions.

What it does:
  - starts moto_server (DynamoDB: the three tables, inventory seeded from events/inventory-seed.json)
    and `cargo lambda watch` (every function as a real process behind the Lambda Invoke API);
  - runs statemachine/order-fulfillment.asl.json with sfn-local, which reads template.yaml for the
    DefinitionSubstitutions and the function names (`sfn-local execute --template`), on a virtual
    clock (Waits and back-off take no real time);
  - shows the run: each state entered and left with its virtual time, retries and failures, the
    path taken as a Mermaid flowchart, the final order record, and as its last line the
    DescribeExecution-shaped result that `sfn-local execute` prints.

The approval step (orders above the threshold) waits for a task token; until `sfn-local serve`
lands, nobody answers it here, so such an order ends on the approval timeout path.

Usage: scripts/run_sample_order.py [ORDER_JSON] [--keep-logs]   (default events/orders/standard.json)
       scripts/run_sample_order.py --scenarios   # every events/orders/*.json, checked; "N passed, M failed"
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

from replay_events import REGION, ROOT, LocalServices, log, require_tools, tail

SFN_LOCAL = os.path.join(ROOT, "target", "release", "sfn-local")


def build_engine():
    log("run: building sfn-local (release)")
    subprocess.run(["cargo", "build", "--release", "-q", "-j", "2", "-p", "sfn-local"], cwd=ROOT, check=True)


def execute(order_path, order_id, watch_port):
    cmd = [SFN_LOCAL, "execute", "--template", os.path.join(ROOT, "template.yaml"), "--input", order_path,
           "--lambda-endpoint", f"http://127.0.0.1:{watch_port}", "--history"]
    if order_id:
        cmd += ["--name", order_id]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"sfn-local failed ({run.returncode}): {run.stderr.strip()}")
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    return json.loads(lines[-2]), lines[-1]


def when(event):
    return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))


def show_trace(history):
    """One line per state entered or left, retries and failures, with virtual time."""
    start = when(history[0])
    path = []
    for event in history:
        kind = event["type"]
        at = (when(event) - start).total_seconds()
        stamp = f"{at:>9.1f}s"
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            path.append(name)
            print(f"{stamp}  → {name} ({kind[:-len('StateEntered')]})")
        elif kind.endswith("StateExited"):
            print(f"{stamp}  ← {event['stateExitedEventDetails']['name']}")
        elif kind in ("TaskFailed", "LambdaFunctionFailed", "LambdaFunctionTimedOut", "TaskTimedOut"):
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            print(f"{stamp}      ✗ {kind}: {details.get('error')}")
        elif kind in ("MapIterationStarted", "MapIterationFailed"):
            details = event.get("mapIterationStartedEventDetails") or event.get("mapIterationFailedEventDetails") or {}
            print(f"{stamp}      {kind} #{details.get('index')}")
        elif kind in ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            print(f"{stamp}  ■ {kind}")
    return path


def mermaid(path):
    """The path actually taken, as a Mermaid flowchart (each edge once, in first-seen order)."""
    edges = []
    for a, b in zip(path, path[1:]):
        if (a, b) not in edges:
            edges.append((a, b))
    lines = ["flowchart TD"] + [f"    {a} --> {b}" for a, b in edges]
    return "\n".join(lines)


def order_record(endpoint, table, order_id):
    import boto3  # installed by scripts/dev-env.sh
    from boto3.dynamodb.types import TypeDeserializer

    client = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                   region_name=REGION).client("dynamodb", endpoint_url=endpoint)
    item = client.get_item(TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True).get("Item")
    if item is None:
        return None
    plain = {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
    return json.loads(json.dumps(plain, default=lambda d: int(d) if d == int(d) else float(d)))




def expectation_for(order_path):
    """The scenario's expected outcome (events/orders/<name>.expect.json). An order that waits for
    approval gets no answer in this run, so its `then.timeout` branch is what must happen."""
    expect_path = order_path[: -len(".json")] + ".expect.json"
    if not os.path.exists(expect_path):
        return None
    with open(expect_path, encoding="utf-8") as f:
        expect = json.load(f)
    if expect.get("awaits"):
        return (expect.get("then") or {}).get("timeout")
    return expect


def check(expect, result, path):
    """Problems with the run, compared with the expectation (empty when it holds)."""
    problems = []
    if result.get("status") != expect.get("status"):
        problems.append(f"status {result.get('status')}, expected {expect.get('status')}")
    if "error" in expect and result.get("error") != expect["error"]:
        problems.append(f"error {result.get('error')}, expected {expect['error']}")
    # Branches of a Parallel and Map iterations interleave: the states must all be passed,
    # in whichever order the concurrency gave.
    missed = [s for s in expect.get("states", []) if s not in path]
    if missed:
        problems.append(f"path {path} never entered {missed}")
    taken = [s for s in expect.get("notStates", []) if s in path]
    if taken:
        problems.append(f"path went through {taken}")
    return problems


def run_scenarios(services):
    """Every events/orders/*.json through the workflow, checked against its expectation."""
    folder = os.path.join(ROOT, "events", "orders")
    passed = failed = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json") or name.endswith(".expect.json"):
            continue
        order_path = os.path.join(folder, name)
        expect = expectation_for(order_path)
        if expect is None:
            log(f"FAIL {name}: no expectation for this run")
            failed += 1
            continue
        with open(order_path, encoding="utf-8") as f:
            order = json.load(f)
        order_id = order.get("orderId") if isinstance(order.get("orderId"), str) else None
        history, result_line = execute(order_path, order_id, services.watch_port)
        result = json.loads(result_line)
        path = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
        problems = check(expect, result, path)
        if problems:
            failed += 1
            log(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
            log(f"ok   {name}: {result['status']} {result.get('error') or ''}".rstrip())
    log(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("order", nargs="?", default=os.path.join(ROOT, "events", "orders", "standard.json"))
    parser.add_argument("--keep-logs", action="store_true", help="keep the moto and watch logs")
    parser.add_argument("--scenarios", action="store_true",
                        help="run every events/orders/*.json and check it against its .expect.json")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    require_tools()
    order_path = os.path.abspath(args.order)
    with open(order_path, encoding="utf-8") as f:
        order = json.load(f)
    order_id = order.get("orderId") if isinstance(order, dict) and isinstance(order.get("orderId"), str) else None
    build_engine()

    logs = tempfile.mkdtemp(prefix="run-sample-order-")
    try:
        with LocalServices(logs, f"run{os.getpid()}") as services:
            log(f"run: moto_server on {services.endpoint}, cargo lambda watch on 127.0.0.1:{services.watch_port}")
            if args.scenarios:
                return run_scenarios(services)
            print(f"\nOrder {order_id or '(no id)'} from {os.path.relpath(order_path, ROOT)}\n")
            started = time.monotonic()
            history, result = execute(order_path, order_id, services.watch_port)
            wall = time.monotonic() - started
            path = show_trace(history)
            virtual = (when(history[-1]) - when(history[0])).total_seconds()
            print(f"\nRan in {wall:.2f} s of real time ({virtual:.0f} s of workflow time on the virtual clock), "
                  f"{len(history)} history events.")
            print("\nPath taken:\n" + mermaid(path))
            if order_id:
                record = order_record(services.endpoint, services.function_env["ORDERS_TABLE"], order_id)
                print("\nOrder record:\n" + json.dumps(record, indent=2, sort_keys=True))
            print(result)
            return 0
    except Exception as error:  # noqa: BLE001 - report any failure with the services' logs
        log(f"run: {error}")
        for name in ("moto.log", "watch.log"):
            text = tail(os.path.join(logs, name))
            if text:
                log(f"run: last lines of {name}:\n{text}")
        return 1
    finally:
        if args.keep_logs:
            log(f"run: logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
