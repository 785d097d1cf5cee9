"""Model-only inference speed of the Python references (timm, torchvision) on the GPU machine, timed as
fovea-bench-model times Fovea's: random batches on the device, bf16 autocast, channels_last for CNNs,
median of the timed iterations after a warm-up. With --kernels, the GPU time per kernel of one pass.

    python3 bench/parity/model_speed.py vit_base [--batch 256] [--kernels]
"""
import argparse
import statistics
import time

import timm
import torch
import torchvision

MODELS = {
    "resnet50": lambda: torchvision.models.resnet50(),
    "vit_base": lambda: timm.create_model("vit_base_patch16_224"),
    "vit_small": lambda: timm.create_model("vit_small_patch16_224"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(MODELS))
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--kernels", action="store_true")
    a = ap.parse_args()
    model = MODELS[a.model]().cuda().eval()
    x = torch.randn(a.batch, 3, 224, 224, device="cuda")
    cnn = a.model.startswith("resnet")
    if cnn:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def forward():
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            return model(x)

    for _ in range(5):
        forward()
    torch.cuda.synchronize()
    ms = []
    for _ in range(a.iters):
        t0 = time.perf_counter()
        forward().sum().item()
        ms.append(1000 * (time.perf_counter() - t0))
    median = statistics.median(ms)
    print(f"python {a.model} batch {a.batch} bf16{' channels_last' if cnn else ''}: {median:.2f} ms per batch, "
          f"{1000 * a.batch / median:.0f} images/s")
    if a.kernels:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as p:
            forward().sum().item()
        print(p.key_averages().table(sort_by="cuda_time_total", row_limit=25))


if __name__ == "__main__":
    main()
