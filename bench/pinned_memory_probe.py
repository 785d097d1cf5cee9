# On the GPU machine (python3 bench/pinned_memory_probe.py): how long page-locked (pinned) host allocations take on the GPU machine: many small vs few large, one thread vs 16.
import threading, time, torch
torch.empty(1, device="cuda")
def timed(label, f):
    t = time.time(); f(); print(f"{label}: {1000 * (time.time() - t):.1f} ms", flush=True)
keep = []
timed("256 x 1 MB, one thread", lambda: [keep.append(torch.empty(1 << 20, dtype=torch.uint8, pin_memory=True)) for _ in range(256)])
timed("1 x 256 MB", lambda: keep.append(torch.empty(256 << 20, dtype=torch.uint8, pin_memory=True)))
timed("8 x 32 MB", lambda: [keep.append(torch.empty(32 << 20, dtype=torch.uint8, pin_memory=True)) for _ in range(8)])
timed("64 x 4 MB", lambda: [keep.append(torch.empty(4 << 20, dtype=torch.uint8, pin_memory=True)) for _ in range(64)])
def work(out):
    out.extend(torch.empty(1 << 20, dtype=torch.uint8, pin_memory=True) for _ in range(16))
def threads():
    ts = [threading.Thread(target=work, args=(keep,)) for _ in range(16)]
    [t.start() for t in ts]; [t.join() for t in ts]
timed("16 threads x 16 x 1 MB", threads)
timed("pageable 256 MB", lambda: keep.append(torch.empty(256 << 20, dtype=torch.uint8).fill_(1)))
