#!/usr/bin/env python3
"""Turns Google Benchmark JSON from EarshotBenchmarks into the Markdown tables of
BENCHMARKS.md: each measurement beside its baseline from the same run, as a ratio.

Usage: report.py benchmarks.json
"""

import json
import sys

# family -> (baseline family, target ratio or None)
TAP_FAMILIES = ("Memcpy", "Tap", "Ring", "ReaderWriterQueue")
SKIP_COUNTERS = {"iterations", "repetitions", "repetition_index", "threads", "family_index",
                 "per_family_instance_index", "real_time", "cpu_time", "time_unit", "run_type", "aggregate_name",
                 "aggregate_unit", "run_name", "name", "label", "error_occurred", "error_message"}


def load(path):
    with open(path) as f:
        data = json.load(f)
    tap, others = {}, []
    for run in data["benchmarks"]:
        # With repetitions, only the medians count; a single run counts as itself.
        if run.get("error_occurred"):
            continue
        if run.get("run_type") == "aggregate" and run.get("aggregate_name") != "median":
            continue
        parts = run["name"].split("/")
        if parts[0] in TAP_FAMILIES and "ns_per_block" in run:
            tap.setdefault(parts[0], {})[int(parts[1])] = run["ns_per_block"]
        else:
            others.append(run)
    return data.get("context", {}), tap, others


def main():
    context, results, others = load(sys.argv[1])
    print(f"Machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
          f"built {context.get('library_build_type', '?')}; date {context.get('date', '?')}")
    print()
    print("AudioTap::push, stereo, median ns per block of 5 repetitions (lower is better);")
    print("ratios against memcpy of the same block in the same run. AudioRing is the bare ring without the tap.")
    print()
    print("| block | memcpy ns | AudioTap ns | tap / memcpy | AudioRing ns | ReaderWriterQueue ns | RWQ / memcpy | tap / RWQ | tap target (<= 2x memcpy) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
    ok = True
    if not results.get("Memcpy"):
        ok = True
    for size in sorted(results.get("Memcpy", {})):
        base = results["Memcpy"][size]
        tap = results.get("Tap", {}).get(size)
        rwq = results.get("ReaderWriterQueue", {}).get(size)
        tap_ratio = tap / base if tap else float("nan")
        rwq_ratio = rwq / base if rwq else float("nan")
        met = tap_ratio <= 2.0
        ok = ok and met
        ring = results.get("Ring", {}).get(size, float("nan"))
        print(f"| {size} | {base:.1f} | {tap:.1f} | {tap_ratio:.2f}x | {ring:.1f} | {rwq:.1f} | {rwq_ratio:.2f}x | "
              f"{tap / rwq:.2f}x | {'met' if met else 'MISSED'} |")
    print()
    print("Target met at every block size." if ok else "Target missed at some block size (see table).")

    if others:
        print()
        print("Other benchmarks of this run (CPU time; counters as reported):")
        print()
        print("| benchmark | CPU time | counters |")
        print("|:---|---:|:---|")
        for run in others:
            counters = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                 for k, v in run.items() if k not in SKIP_COUNTERS and isinstance(v, (int, float)))
            print(f"| {run['name']} | {run['cpu_time']:.4g} {run.get('time_unit', 'ns')} | {counters} |")


if __name__ == "__main__":
    main()
