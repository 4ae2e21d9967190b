#!/usr/bin/env python3
"""Cost per million orders, from local runs of every events/orders/ scenario (issue 6).

Each scenario runs through the whole workflow locally with `order-local run` (sfn-local's engine
on the template's state machine, the real handlers in-process or under `cargo lambda watch`,
DynamoDB on moto_server); needs-approval runs once per answer (approve, reject, timeout). Each
run's history gives:
  - state transitions: every state entered (Map iterations and Parallel branches included) plus
    every retry (a Task scheduled again after a failure): what STANDARD bills;
  - Lambda invocations per function (TaskScheduled events), plus the functions outside the
    workflow: submit-order (the API call that starts it), on-execution-status (EventBridge sends
    it the RUNNING and the final status change) and decide-approval (a person's answer);
  - the execution's duration on the virtual clock (Waits and back-off included).
Lambda GB-seconds come from fn-bench's measured warm median per function (bench/results/*.json,
scripts/bench-functions.sh) at the template's MemorySize, billed per started millisecond.

Usage:
  bench/cost.py                       # run the scenarios, print the table and write the JSON
  bench/cost.py --write docs/cost.md  # also replace the table between the markers in the doc
  bench/cost.py --check docs/cost.md  # run the scenarios and fail when the doc's transition,
                                      # retry or invocation counts differ from what the runs show
  bench/cost.py --histories DIR       # use saved histories (DIR/<row>.json), no run
Needs moto_server (scripts/dev-env.sh); builds order-local unless --order-local BIN is given.
"""

import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORDERS = os.path.join(ROOT, "events", "orders")

# Published us-east-1 prices, looked up on 2026-11-24 (aws.amazon.com/step-functions/pricing and
# aws.amazon.com/lambda/pricing, first tiers).
PRICES = {
    "retrieved": "2026-11-24",
    "region": "us-east-1",
    "standardPerTransition": 0.025 / 1000,
    "expressPerRequest": 1.00 / 1_000_000,
    "expressPerGbSecond": 0.00001667,
    "expressMemoryChunkMb": 64,
    "expressDurationRoundingMs": 100,
    "lambdaPerRequest": 0.20 / 1_000_000,
    "lambdaArm64PerGbSecond": 0.0000133334,
}
EXPRESS_MAX_SECONDS = 300

TABLE_BEGIN = "<!-- cost-table:begin (bench/cost.py --write) -->"
TABLE_END = "<!-- cost-table:end -->"

# Invocations outside the state machine, per order: the API call that starts the execution, and
# the two Execution Status Change events (RUNNING, then the final status) EventBridge delivers.
OUTSIDE_WORKFLOW = {"submit-order": 1, "on-execution-status": 2}


def outside_workflow(row_name):
    """Invocations outside the state machine for this row: decide-approval when a person answered."""
    outside = dict(OUTSIDE_WORKFLOW)
    if row_name.rsplit("/", 1)[-1] in ANSWERED_BY_DECIDE_APPROVAL:
        outside["decide-approval"] = 1
    return outside


# ---- what a history shows --------------------------------------------------------------------


def transitions(history):
    """State transitions as STANDARD bills them: each state entered, plus each retry."""
    entered = sum(1 for e in history if e.get("type", "").endswith("StateEntered"))
    return entered + retries(history)


def retries(history):
    """Tasks scheduled again after a failure (Retry): schedules beyond one per Task entered."""
    scheduled = sum(1 for e in history if e.get("type") == "TaskScheduled")
    tasks_entered = sum(1 for e in history if e.get("type") == "TaskStateEntered")
    return max(0, scheduled - tasks_entered)


def function_of(name):
    """`arn:aws:lambda:...:function:reserve-item[:alias]` or `reserve-item` → `reserve-item`."""
    if ":function:" in name:
        name = name.split(":function:", 1)[1].split(":", 1)[0]
    return name


def lambda_invocations(history):
    """Invocations per function: the TaskScheduled events of `lambda` resources."""
    counts = Counter()
    for event in history:
        if event.get("type") != "TaskScheduled":
            continue
        details = event.get("taskScheduledEventDetails") or {}
        if details.get("resourceType") != "lambda":
            continue
        try:
            parameters = json.loads(details.get("parameters") or "{}")
        except json.JSONDecodeError:
            parameters = {}
        name = parameters.get("FunctionName") if isinstance(parameters, dict) else None
        counts[function_of(str(name)) if name else "(unknown)"] += 1
    return counts


def virtual_seconds(history):
    """The execution's duration on its (virtual) clock: first to last event."""
    stamps = [e["timestamp"] for e in history if isinstance(e.get("timestamp"), str)]
    if len(stamps) < 2:
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(stamps[-1]) - parse(stamps[0])).total_seconds()


def status_of(history):
    for event in reversed(history):
        kind = event.get("type", "")
        if kind.startswith("Execution") and kind != "ExecutionStarted":
            return kind[len("Execution"):].upper()
    return "RUNNING"


# ---- cost ------------------------------------------------------------------------------------


def billed_ms(duration_ms):
    """Lambda bills per started millisecond."""
    return max(1, math.ceil(duration_ms))


def scenario_cost(history, durations_ms, memory_mb, prices=PRICES, outside=None):
    """One order's counts and costs (USD) for this scenario's history; `outside`: invocations
    of functions outside the state machine (default OUTSIDE_WORKFLOW)."""
    invocations = lambda_invocations(history)
    outside = OUTSIDE_WORKFLOW if outside is None else outside
    for function, count in outside.items():
        invocations[function] += count
    missing = sorted(f for f in invocations if f not in durations_ms)
    if missing:
        raise ValueError(f"no measured duration for {', '.join(missing)}")
    gb = memory_mb / 1024
    lambda_ms = sum(n * billed_ms(durations_ms[f]) for f, n in invocations.items())
    gb_seconds = gb * lambda_ms / 1000
    lambda_usd = sum(invocations.values()) * prices["lambdaPerRequest"] + gb_seconds * prices["lambdaArm64PerGbSecond"]
    count = transitions(history)
    standard_usd = count * prices["standardPerTransition"]
    # EXPRESS, were the waits taken out: the workflow's own work (its Lambda time, counted as if
    # sequential: an upper bound) rounded up to 100 ms, in one 64 MB chunk.
    workflow_ms = sum(n * billed_ms(durations_ms[f]) for f, n in invocations.items() if f not in outside)
    rounding = prices["expressDurationRoundingMs"]
    express_ms = max(rounding, math.ceil(workflow_ms / rounding) * rounding)
    express_gb_seconds = prices["expressMemoryChunkMb"] / 1024 * express_ms / 1000
    express_usd = prices["expressPerRequest"] + express_gb_seconds * prices["expressPerGbSecond"]
    seconds = virtual_seconds(history)
    return {
        "status": status_of(history),
        "transitions": count,
        "retries": retries(history),
        "invocations": dict(sorted(invocations.items())),
        "lambdaInvocations": sum(invocations.values()),
        "lambdaBilledMs": lambda_ms,
        "lambdaGbSeconds": gb_seconds,
        "virtualSeconds": seconds,
        "expressPossible": seconds <= EXPRESS_MAX_SECONDS,
        "perMillion": {
            "lambda": lambda_usd * 1e6,
            "standard": standard_usd * 1e6,
            "standardTotal": (standard_usd + lambda_usd) * 1e6,
            "express": express_usd * 1e6,
            "expressTotal": (express_usd + lambda_usd) * 1e6,
        },
    }


def render_table(rows):
    """The Markdown table docs/cost.md shows (one row per scenario)."""
    lines = [
        "| scenario | status | transitions (retries) | Lambda invocations | billed Lambda ms | "
        "workflow time (virtual) | Lambda $/M | STANDARD $/M | STANDARD + Lambda $/M | "
        "EXPRESS* + Lambda $/M |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in rows.items():
        money = row["perMillion"]
        lines.append(
            f"| {name} | {row['status']} | {row['transitions']} ({row['retries']}) | "
            f"{row['lambdaInvocations']} | {row['lambdaBilledMs']} | {row['virtualSeconds']:,.0f} s | "
            f"{money['lambda']:,.2f} | {money['standard']:,.2f} | {money['standardTotal']:,.2f} | "
            f"{money['expressTotal']:,.2f}{'' if row['expressPossible'] else ' (not runnable)'} |"
        )
    return "\n".join(lines)


ROW = re.compile(r"^\|\s*(?P<name>[a-z0-9/-]+)\s*\|\s*[A-Z_]+\s*\|\s*(?P<transitions>\d+)\s*\((?P<retries>\d+)\)\s*\|\s*(?P<invocations>\d+)\s*\|")


def counts_in_doc(text):
    """{scenario: (transitions, retries, invocations)} from the table between the markers."""
    if TABLE_BEGIN not in text or TABLE_END not in text:
        raise ValueError("the document has no cost table markers")
    block = text.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0]
    found = {}
    for line in block.splitlines():
        match = ROW.match(line)
        if match:
            found[match["name"]] = (int(match["transitions"]), int(match["retries"]), int(match["invocations"]))
    return found


def timing_dependent(row_name):
    """States a scenario's expectation marks `maybeStates`: Parallel siblings a failing branch
    cancels at a timing-dependent moment, so each may or may not run (a transition and an
    invocation each, on AWS too)."""
    path = os.path.join(ORDERS, row_name.split("/")[0] + ".expect.json")
    try:
        with open(path, encoding="utf-8") as f:
            return len(json.load(f).get("maybeStates", []))
    except (OSError, ValueError):
        return 0


def compare(doc_counts, rows, slack=timing_dependent):
    """Differences between the doc's counts and the runs' (empty when they agree). Counts may
    differ by the scenario's timing-dependent states, no more."""
    problems = []
    for name, row in rows.items():
        want = (row["transitions"], row["retries"], row["lambdaInvocations"])
        got = doc_counts.get(name)
        if got is None:
            problems.append(f"{name}: not in the document's table")
            continue
        allowed = slack(name)
        close = got[1] == want[1] and all(abs(g - w) <= allowed for g, w in ((got[0], want[0]), (got[2], want[2])))
        if not close:
            problems.append(f"{name}: document says transitions/retries/invocations {got}, the run shows {want}")
    for name in sorted(set(doc_counts) - set(rows)):
        problems.append(f"{name}: in the document's table but no scenario ran")
    return problems


def replace_table(text, table):
    before, rest = text.split(TABLE_BEGIN, 1)
    _, after = rest.split(TABLE_END, 1)
    return f"{before}{TABLE_BEGIN}\n{table}\n{TABLE_END}{after}"


# ---- measured durations ----------------------------------------------------------------------


def latest_results():
    files = sorted(f for f in glob.glob(os.path.join(HERE, "results", "*.json")) if not os.path.basename(f).startswith("cost-"))
    if not files:
        raise SystemExit("cost: no bench/results/*.json: run scripts/bench-functions.sh first")
    return files[-1]


ALL_FUNCTIONS = [
    "validate-order", "request-approval", "reserve-item", "release-item", "charge-payment",
    "refund-payment", "create-shipment", "send-notification", "award-loyalty-points",
    "complete-order", "record-failure", "submit-order", "decide-approval", "on-execution-status",
]


def durations_from(results):
    """Duration of each function's real-work event (ms), the memory size they ran with, and
    the functions the results lack: those get the slowest measured median (an upper bound;
    Lambda's cost is mostly its per-request price at these durations)."""
    # The warm median, or the first invocation when that is lower: the benchmark repeats one
    # event 1,000 times, and a function that appends to the same record (record-failure adds a
    # history entry each time) slows down as the item grows, which no single order does.
    durations = {
        f["function"]: min(f["warmMedianUs"] / 1000, f.get("firstInvocationMs", float("inf")))
        for f in results["functions"]
    }
    if not durations:
        raise SystemExit("cost: the fn-bench results measure no function")
    slowest = max(durations.values())
    stand_ins = [f for f in ALL_FUNCTIONS if f not in durations]
    for function in stand_ins:
        durations[function] = slowest
    return durations, results["memoryMb"], stand_ins


# ---- local runs ------------------------------------------------------------------------------


# Scenarios whose run depends on a person's answer at RequestApproval: one run per answer.
APPROVAL_ANSWERS = {"needs-approval": ["approve", "reject", "timeout"]}
# decide-approval is the function a person's answer goes through (POST /orders/{id}/approval).
ANSWERED_BY_DECIDE_APPROVAL = {"approve", "reject"}


def scenario_runs():
    """(row name, order file, approval answer or None) for every events/orders scenario."""
    runs = []
    for path in sorted(glob.glob(os.path.join(ORDERS, "*.json"))):
        if path.endswith(".expect.json"):
            continue
        name = os.path.basename(path)[: -len(".json")]
        for answer in APPROVAL_ANSWERS.get(name, [None]):
            runs.append((f"{name}/{answer}" if answer else name, path, answer))
    return runs


def order_local_binary(given):
    """The order-local binary: the one given, or a debug build of the workspace's crate."""
    if given:
        return given
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    print("cost: building order-local (cargo build -p order-local)", file=sys.stderr)
    subprocess.run(["cargo", "build", "-q", "-j", "2", "-p", "order-local"], cwd=ROOT, check=True)
    return os.path.join(target, "debug", "order-local")


def run_histories(order_local, cargo_lambda):
    """Every scenario through the workflow locally (`order-local run`: sfn-local's engine, the
    real handlers, moto_server), each run's history read back from the file it writes."""
    import tempfile

    histories = {}
    with tempfile.TemporaryDirectory(prefix="cost-") as tmp:
        for name, path, answer in scenario_runs():
            history_file = os.path.join(tmp, name.replace("/", "--") + ".json")
            cmd = [order_local, "run", path, "--quiet", "--history", history_file]
            if answer:
                cmd.append(f"--{answer}")
            if cargo_lambda:
                cmd.append("--cargo-lambda")
            run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            if not os.path.exists(history_file):
                raise SystemExit(f"cost: {name}: order-local wrote no history ({run.returncode}): {run.stderr.strip()[-2000:]}")
            with open(history_file, encoding="utf-8") as f:
                histories[name] = json.load(f)
            print(f"cost: {name}: {len(histories[name])} history events", file=sys.stderr)
    return histories


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", help="fn-bench JSON (default: the newest bench/results/*.json)")
    parser.add_argument("--histories", help="folder of saved histories (<scenario>.json) instead of running")
    parser.add_argument("--save-histories", help="folder to save the runs' histories in")
    parser.add_argument("--order-local", default=os.environ.get("ORDER_LOCAL"),
                        help="the order-local binary (default: build the workspace's, debug)")
    parser.add_argument("--cargo-lambda", action="store_true",
                        help="run the functions as processes under cargo lambda watch (default: in-process)")
    parser.add_argument("--json", help="where to write the rows (default bench/results/cost-<date>.json)")
    parser.add_argument("--write", metavar="DOC", help="replace the cost table in DOC")
    parser.add_argument("--check", metavar="DOC", help="fail when DOC's counts differ from the runs'")
    args = parser.parse_args()

    results_path = args.results or latest_results()
    with open(results_path, encoding="utf-8") as f:
        durations, memory_mb, stand_ins = durations_from(json.load(f))
    if stand_ins:
        print(f"cost: not measured, priced at the slowest measured median: {', '.join(stand_ins)}", file=sys.stderr)

    if args.histories:
        histories = {}
        for path in sorted(glob.glob(os.path.join(args.histories, "*.json"))):
            with open(path, encoding="utf-8") as f:
                histories[os.path.basename(path)[: -len(".json")].replace("--", "/")] = json.load(f)
    else:
        histories = run_histories(order_local_binary(args.order_local), args.cargo_lambda)
    if args.save_histories:
        os.makedirs(args.save_histories, exist_ok=True)
        for name, history in histories.items():
            with open(os.path.join(args.save_histories, name.replace("/", "--") + ".json"), "w", encoding="utf-8") as f:
                json.dump(history, f, indent=1)

    rows = {name: scenario_cost(history, durations, memory_mb, outside=outside_workflow(name))
            for name, history in histories.items()}
    table = render_table(rows)
    print(table)

    # A check (the test command) leaves the committed results alone unless asked for JSON.
    if args.json or not args.check:
        out = args.json or os.path.join(HERE, "results", f"cost-{datetime.utcnow():%Y-%m-%d}.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"prices": PRICES, "memoryMb": memory_mb, "durationsFrom": os.path.relpath(results_path, ROOT),
                       "durationsMs": durations, "standIns": stand_ins, "scenarios": rows}, f, indent=2)
            f.write("\n")
        print(f"cost: written to {os.path.relpath(out, ROOT)}", file=sys.stderr)

    if args.write:
        with open(args.write, encoding="utf-8") as f:
            text = f.read()
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(replace_table(text, table))
        print(f"cost: table replaced in {args.write}", file=sys.stderr)
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            problems = compare(counts_in_doc(f.read()), rows)
        for problem in problems:
            print(f"cost: MISMATCH {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"cost: {args.check} matches the local runs of {len(rows)} scenarios", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
