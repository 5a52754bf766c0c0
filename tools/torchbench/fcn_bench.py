#!/usr/bin/python3
"""PyTorch (Debian python3-torch) speed anchor for convplay's fcn preset.

The same architecture as nn.FCNSpec (Keras "same" padding: a 4x4 stride-2
transposed convolution with padding 1 doubles the side), trained as convplay
trains it: Adam, per-pixel sparse categorical cross-entropy (softmax folded
into CrossEntropyLoss), a batch of 32 random 64x64 scenes with random labels.
Measures one training step (forward, loss, backward, optimizer step) in
scenes per second, as `go test -bench FCNTrainStep32 ./nn/` does for ours.
Prints one JSON line per repetition and a summary line.

Usage: /usr/bin/python3 tools/torchbench/fcn_bench.py [--threads N] [--reps 3] [--steps 20]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


def build_fcn():
    def conv(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]

    def up(cin, cout):
        return [nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.ReLU()]

    return nn.Sequential(
        *conv(1, 16), nn.MaxPool2d(2),
        *conv(16, 32), nn.MaxPool2d(2),
        *conv(32, 64), nn.MaxPool2d(2),
        *conv(64, 64),
        *up(64, 32), *up(32, 16), *up(16, 16),
        nn.Conv2d(16, 11, 1),
    )


def bench_train(model, steps, warmup, batch):
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    x = torch.randn(batch, 1, 64, 64, generator=g)
    y = torch.randint(0, 11, (batch, 64, 64), generator=g)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()
    return steps * batch / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = build_fcn()
    params = sum(p.numel() for p in model.parameters())
    assert params == 105531, params  # nn/testdata/fcn_summary.txt
    rates = []
    for rep in range(args.reps):
        r = bench_train(model, args.steps, 3, args.batch)
        rates.append(r)
        print(json.dumps({"rep": rep + 1, "threads": args.threads, "batch": args.batch, "train_scenes_per_s": round(r, 1)}))
    print(json.dumps({"summary": True, "torch": torch.__version__, "threads": args.threads, "params": params,
                      "train_scenes_per_s_best": round(max(rates), 1), "train_scenes_per_s_median": round(statistics.median(rates), 1)}))


if __name__ == "__main__":
    main()
