#!/usr/bin/env python3
"""Peak memory and wall time of the sfn-local process running a Map over N items.

Usage: python3 sfn-local/benches/map_memory.py [--items 100000] [--pad 0] [--binary PATH] [--runs 3]

The case is bench/peers' `map_1000_pass` shape scaled up: items {"sku": "sku-i", "qty": i}, one
Pass with Parameters per item. Payload and history limits are lifted (100,000 items are far past
AWS's 256 KiB and 25,000 events). Peak RSS comes from /usr/bin/time -v (the process's max RSS).
The same Map over no items gives the process's fixed cost (binary, runtime, allocator), which is
part of every figure: `data_rss_over_input` leaves it out. `--pad N` adds an N-character
`note` to every item, for items larger than the bare two fields (the parsed form of a JSON value
costs a fixed amount per node, so small items give the largest multiple of the input).
A one-Succeed machine over the same input (read, parsed, held once, printed) gives what holding
the data once costs: `map_over_holding_input` is the Map's data memory over that one.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def case(items, pad=0):
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "packed": True}, "End": True}},
                },
                "End": True,
            }
        },
    }
    note = "n" * pad
    data = {"items": [{"sku": f"sku-{i}", "qty": i, **({"note": note} if pad else {})} for i in range(items)]}
    return definition, data


def measure(binary, definition_file, input_file):
    cmd = ["/usr/bin/time", "-v", binary, "execute", definition_file, "--input", input_file,
           "--payload-limit", str(2**62), "--history-limit", str(2**62)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    last = done.stdout.strip().splitlines()[-1]
    status = json.loads(last)["status"]
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr).group(1)
    minutes, seconds = wall.rsplit(":", 1)
    return status, rss_kb, int(minutes.split(":")[-1]) * 60 + float(seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pad", type=int, default=0, help="characters of padding per item")
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "sfn-local"))
    args = parser.parse_args()
    definition, data = case(args.items, args.pad)
    with tempfile.TemporaryDirectory() as tmp:
        definition_file = os.path.join(tmp, "map.json")
        input_file = os.path.join(tmp, "input.json")
        with open(definition_file, "w") as f:
            json.dump(definition, f, separators=(",", ":"))
        with open(input_file, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        input_bytes = os.path.getsize(input_file)
        empty_file = os.path.join(tmp, "empty.json")
        with open(empty_file, "w") as f:
            json.dump({"items": []}, f)
        hold_file = os.path.join(tmp, "hold.json")
        with open(hold_file, "w") as f:
            json.dump({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}, f)
        runs = [measure(args.binary, definition_file, input_file) for _ in range(args.runs)]
        hold = sorted(measure(args.binary, hold_file, input_file)[1] for _ in range(args.runs))
        empty = sorted(measure(args.binary, definition_file, empty_file)[1] for _ in range(args.runs))
    statuses = {r[0] for r in runs}
    rss = sorted(r[1] for r in runs)[len(runs) // 2]
    wall = sorted(r[2] for r in runs)[len(runs) // 2]
    empty_rss = empty[len(empty) // 2]
    hold_rss = hold[len(hold) // 2]
    print(json.dumps({
        "items": args.items,
        "pad": args.pad,
        "input_bytes": input_bytes,
        "status": sorted(statuses),
        "median_peak_rss_kb": rss,
        "rss_over_input": round(rss * 1024 / input_bytes, 1),
        "empty_map_peak_rss_kb": empty_rss,
        "data_rss_over_input": round((rss - empty_rss) * 1024 / input_bytes, 1),
        "hold_input_peak_rss_kb": hold_rss,
        "map_over_holding_input": round((rss - empty_rss) / max(hold_rss - empty_rss, 1), 2),
        "median_wall_s": wall,
    }))
    return 0 if statuses == {"SUCCEEDED"} else 1


if __name__ == "__main__":
    sys.exit(main())
