#!/usr/bin/env python3
"""Peak RSS of parsing and holding the Map benchmark's input: sfn-json against serde_json.

Usage: python3 json/benches/parse_memory.py [--items 100000] [--pad 0]

The input is sfn-local/benches/map_memory.py's: {"items": [{"sku": "sku-i", "qty": i}, ...]}
(`--pad N` adds an N-character field per item). Each parser reads the file, parses it and holds
the value (counting its nodes), under mimalloc as the sfn-local binary runs; /usr/bin/time -v gives the
process's peak RSS (median of 3). `{}` gives the fixed cost of the process.
"""

import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def peak_kb(binary, kind, path):
    done = subprocess.run(["/usr/bin/time", "-v", binary, kind, path], capture_output=True, text=True, check=True)
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pad", type=int, default=0)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "-j", "2", "-p", "sfn-json", "--example", "hold"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "examples", "hold")
    note = "n" * args.pad
    data = {"items": [{"sku": f"sku-{i}", "qty": i, **({"note": note} if args.pad else {})} for i in range(args.items)]}
    with tempfile.TemporaryDirectory() as tmp:
        path, empty = os.path.join(tmp, "input.json"), os.path.join(tmp, "empty.json")
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        with open(empty, "w") as f:
            f.write("{}")
        size = os.path.getsize(path)
        report = {"items": args.items, "pad": args.pad, "input_bytes": size}
        for kind in ("sfn-json", "serde_json"):
            rss = sorted(peak_kb(binary, kind, path) for _ in range(3))[1]
            fixed = sorted(peak_kb(binary, kind, empty) for _ in range(3))[1]
            report[kind] = {"peak_rss_kb": rss, "rss_over_input": round(rss * 1024 / size, 1),
                            "data_rss_over_input": round((rss - fixed) * 1024 / size, 1)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
