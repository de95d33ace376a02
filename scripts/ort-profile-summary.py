"""Summarises onnxruntime profiles (BISE_ORT_PROFILE=/tmp/p in the environment of any engine run writes one JSON per
session): milliseconds per run by op type and the slowest nodes, leaving out each session's first (warm-up) run.

Usage: python3 scripts/ort-profile-summary.py /tmp/p_*.json   (standard library only)
"""
import collections
import json
import sys


def summarise(path):
    events = json.load(open(path))
    runs = sorted((e for e in events if e.get("name") == "model_run"), key=lambda e: e["ts"])
    if len(runs) < 2:
        print(f"{path}: fewer than two runs, nothing after the warm-up")
        return
    warm_end = runs[0]["ts"] + runs[0]["dur"]
    timed = len(runs) - 1
    by_op, count, by_node = collections.Counter(), collections.Counter(), collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] > warm_end:
            op = e["args"].get("op_name")
            by_op[op] += e["dur"]
            count[op] += 1
            by_node[(e["name"][: -len("_kernel_time")], op)] += e["dur"]
    print(f"{path}: {timed} timed runs, model_run ms {[round(e['dur'] / 1000, 1) for e in runs[1:]]}, kernels {sum(by_op.values()) / 1000 / timed:.1f} ms/run")
    for op, us in by_op.most_common(15):
        print(f"  {op:28s} {us / 1000 / timed:8.1f} ms/run  {count[op] // timed} nodes")
    print("  slowest nodes:")
    for (node, op), us in by_node.most_common(12):
        print(f"    {node[:70]:70s} {op:20s} {us / 1000 / timed:7.1f}")


for f in sys.argv[1:]:
    summarise(f)
