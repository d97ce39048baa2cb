#!/usr/bin/env python3
"""Turns Google Benchmark JSON from EarshotBenchmarks into the Markdown tables of
BENCHMARKS.md: each measurement beside its baseline from the same run, as a ratio.

Usage: report.py benchmarks.json
"""

import json
import sys

# family -> (baseline family, target ratio or None)
COMPARISONS = {
    "Tap": ("Memcpy", 2.0),
    "ReaderWriterQueue": ("Memcpy", None),
}


def load(path):
    with open(path) as f:
        data = json.load(f)
    results = {}
    for run in data["benchmarks"]:
        if run.get("run_type") == "aggregate" or run.get("error_occurred"):
            continue
        family, arg = run["name"].split("/")[:2]
        results.setdefault(family, {})[int(arg)] = run["ns_per_block"]
    return data.get("context", {}), results


def main():
    context, results = load(sys.argv[1])
    print(f"Machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
          f"built {context.get('library_build_type', '?')}; date {context.get('date', '?')}")
    print()
    print("AudioTap::push, stereo, ns per block (lower is better); ratios against memcpy of the same block in the same run")
    print()
    print("| block | memcpy ns | AudioTap ns | tap / memcpy | ReaderWriterQueue ns | RWQ / memcpy | tap target (<= 2x) |")
    print("|---:|---:|---:|---:|---:|---:|:---|")
    ok = True
    for size in sorted(results.get("Memcpy", {})):
        base = results["Memcpy"][size]
        tap = results.get("Tap", {}).get(size)
        rwq = results.get("ReaderWriterQueue", {}).get(size)
        tap_ratio = tap / base if tap else float("nan")
        rwq_ratio = rwq / base if rwq else float("nan")
        met = tap_ratio <= 2.0
        ok = ok and met
        print(f"| {size} | {base:.1f} | {tap:.1f} | {tap_ratio:.2f}x | {rwq:.1f} | {rwq_ratio:.2f}x | {'met' if met else 'MISSED'} |")
    print()
    print("Target met at every block size." if ok else "Target missed at some block size (see table).")


if __name__ == "__main__":
    main()
