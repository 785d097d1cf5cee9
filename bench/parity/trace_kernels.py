"""GPU time per kernel in a Chrome trace written by fovea-bench-model --trace (Kineto format): the
kernels that take the time, to compare with model_speed.py --kernels for the Python reference.

    python3 bench/parity/trace_kernels.py trace.json [TOP]

Also: GPU time per CUDA stream, how busy the GPU was over the traced span, and the CUDA runtime calls
that took the host threads' time (also for traces of fovea-bench-pipeline --trace and FOVEA_EVAL_TRACE).
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
    # Per CUDA stream, and how much of the traced span the GPU was busy with any kernel at all.
    kernels = [e for e in events if e.get("cat") == "kernel"]
    if kernels:
        per_stream = collections.Counter()
        for e in kernels:
            per_stream[e.get("args", {}).get("stream", "?")] += e.get("dur", 0)
        for stream, us in per_stream.most_common():
            print(f"stream {stream}: {us / 1000:.2f} ms of kernels")
        spans = sorted((e["ts"], e["ts"] + e.get("dur", 0)) for e in kernels)
        busy, end = 0.0, spans[0][0]
        for start, stop in spans:
            if stop > end:
                busy += stop - max(start, end)
                end = stop
        print(f"span {(end - spans[0][0]) / 1000:.2f} ms, some kernel running {busy / 1000:.2f} ms of it")
    # Where host threads wait or spend time in CUDA calls (synchronisations, blocking copies, allocations).
    calls = collections.Counter()
    for e in events:
        if e.get("cat") in ("cuda_runtime", "cuda_driver"):
            calls[(e["name"], e.get("tid"))] += e.get("dur", 0)
    for (name, tid), us in calls.most_common(12):
        print(f"{us / 1000:8.2f} ms  thread {tid}  {name}")


if __name__ == "__main__":
    main()
