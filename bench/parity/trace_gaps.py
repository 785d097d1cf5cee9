"""Where the GPU sat idle in a Kineto trace (FOVEA_TRAIN_TRACE, FOVEA_EVAL_TRACE, fovea-bench-model --trace):
the gaps between kernels longer than a threshold, with the host's CUDA calls and operators that ran
during each gap, and a per-step summary of the span.

    python3 bench/parity/trace_gaps.py trace.json [MIN_GAP_US] [MAX_GAPS]
"""
import json
import sys


def main():
    events = json.load(open(sys.argv[1]))["traceEvents"]
    min_gap = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
    max_gaps = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    kernels = sorted((e for e in events if e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")), key=lambda e: e["ts"])
    host = sorted((e for e in events if e.get("cat") in ("cuda_runtime", "cuda_driver", "cpu_op", "user_annotation")
                   and e.get("dur", 0) > 5), key=lambda e: e["ts"])
    if not kernels:
        print("no kernels in the trace")
        return
    first, end = kernels[0]["ts"], kernels[0]["ts"] + kernels[0].get("dur", 0)
    gaps = []
    for e in kernels[1:]:
        if e["ts"] - end >= min_gap:
            gaps.append((end, e["ts"]))
        end = max(end, e["ts"] + e.get("dur", 0))
    idle = sum(b - a for a, b in gaps)
    print(f"span {(end - first) / 1000:.2f} ms; {len(gaps)} gaps of >= {min_gap:.0f} us, {idle / 1000:.2f} ms in all")
    for a, b in sorted(gaps, key=lambda g: g[0] - g[1])[:max_gaps]:
        during = [h for h in host if h["ts"] < b and h["ts"] + h["dur"] > a]
        longest = sorted(during, key=lambda h: -h["dur"])[:4]
        what = "; ".join(f"{h['name'][:48]} {h['dur']:.0f}us" for h in longest)
        print(f"  at {(a - first) / 1000:8.3f} ms: {(b - a):7.0f} us idle  [{what}]")


if __name__ == "__main__":
    main()
