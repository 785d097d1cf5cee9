"""GPU time per kernel in a Chrome trace written by fovea-bench-model --trace (Kineto format): the
kernels that take the time, to compare with model_speed.py --kernels for the Python reference.

    python3 bench/parity/trace_kernels.py trace.json [TOP]
"""
import collections
import json
import sys


def main():
    events = json.load(open(sys.argv[1]))["traceEvents"]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    total = collections.Counter()
    count = collections.Counter()
    for e in events:
        if e.get("cat") == "kernel":
            total[e["name"]] += e.get("dur", 0)
            count[e["name"]] += 1
    all_us = sum(total.values())
    print(f"{len(count)} kernels, {sum(count.values())} launches, {all_us / 1000:.2f} ms of GPU time")
    for name, us in total.most_common(top):
        print(f"{us / 1000:8.3f} ms {count[name]:5d}x  {name[:140]}")


if __name__ == "__main__":
    main()
