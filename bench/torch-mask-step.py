"""PyTorch reference for `npm run bench`: the BISE mask-learning step (gated forward + backward to the gates)
on the same SimpleConvNet weights as test/fixtures/simple-convnet.onnx, CPU, batch 100.

Usage: /usr/bin/python3 bench/torch-mask-step.py MODEL.onnx BATCH THREADS REPEATS PRUNED_FRACTION
Prints one JSON line: {"torch": version, "median_ms": ..., "all_ms": [...], RSS in MiB} (bench/torch_timing.py). Dev tool only; never a runtime dependency.
"""
import sys

import onnx
import torch
from onnx import numpy_helper

from torch_timing import current_rss_mib, time_and_report


def main():
    path, batch, threads, repeats, pruned = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    start_rss = current_rss_mib()
    g = onnx.load(path).graph
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
    convs = [n for n in g.node if n.op_type == "Conv"]
    gemm = [n for n in g.node if n.op_type == "Gemm"][0]
    layers = []
    for n in convs:
        w, b = weights[n.input[1]], weights[n.input[2]]
        pads = [a.ints for a in n.attribute if a.name == "pads"][0]
        layers.append((w, b, pads[0]))
    fc_w, fc_b = weights[gemm.input[1]], weights[gemm.input[2]]
    gates = []
    for (w, _, _) in layers:
        gate = torch.ones(w.shape[0])
        gate[torch.randperm(w.shape[0])[: int(round(pruned * w.shape[0]))]] = 0
        gates.append(gate.requires_grad_(True))
    x = torch.randn(batch, 3, 28, 28)
    r1 = torch.randn(batch, 10)
    r2 = torch.randn(batch, fc_w.shape[1])

    def step():
        for gate in gates:
            gate.grad = None
        h = x
        for (w, b, pad), gate in zip(layers, gates):
            h = torch.relu(torch.nn.functional.conv2d(h, w, b, padding=pad)) * gate.view(1, -1, 1, 1)
        z = h.mean(dim=(2, 3))
        logits = torch.nn.functional.linear(z, fc_w, fc_b)
        loss = (logits * r1).sum() + (z * r2).sum()
        loss.backward()

    time_and_report(step, 1, repeats, start_rss)

if __name__ == "__main__":
    main()
