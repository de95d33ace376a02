"""Generate test/fixtures/shape-arith/: a small CNN whose forward computes its reshapes from the batch size.

The exporter turns x.view(x.size(0), -1), x.view(x.size(0), x.size(1), -1) and x.flatten(1, 2) into shape
subgraphs (Shape -> Gather/Slice -> Unsqueeze -> Concat -> Reshape); the model is exported with a dynamic batch
at opset 13, so the engine has to fold them per batch size and the pruned export has to keep the batch dynamic.

What it makes:
  model.onnx  input [batch, 3, 8, 8] -> logits [batch, 5]; units: conv1 (8), conv2 (8), fc1 (16)
  ref.json    a fixed batch of 3 inputs, the float64 logits, the bottleneck z (input of fc2), fixed upstream
              gradients R1 (logits) and R2 (z), and for every gate site in graph order dL/dg with
              L = sum(logits * R1) + sum(z * R2) (gates all ones), as test/fixtures/*.ref.json

How to run (dev only; Debian's python3-torch and python3-onnx):
    /usr/bin/python3 scripts/export-shape-arith-fixture.py

CI never runs this script: the generated files are committed.
"""

import json
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "shape-arith")
N = 3


class ShapeArithNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc1 = nn.Linear(8 * 4 * 4, 16)
        self.fc2 = nn.Linear(16, 5)

    def forward(self, x, gates=None):
        g = gates or [None] * 3
        h = gate(F.relu(self.conv1(x)), g[0])          # [N, 8, 8, 8]   site 0
        h = h.view(h.size(0), h.size(1), -1)           # [N, 8, 64]     keeps axes 0 and 1
        h = h.view(h.size(0), -1, 8, 8)                # [N, 8, 8, 8]   channels inferred, literal 8s
        h = gate(F.relu(self.conv2(h)), g[1])          # [N, 8, 8, 8]   site 1
        h = F.max_pool2d(h, 2)                         # [N, 8, 4, 4]
        h = h.flatten(1, 2)                            # [N, 32, 4]
        h = h.view(h.size(0), -1)                      # [N, 128]
        z = gate(F.relu(self.fc1(h)), g[2])            # [N, 16]        site 2 (the bottleneck)
        return self.fc2(z), z


def gate(h, g):
    if g is None:
        return h
    return h * g.view(1, -1, *([1] * (h.dim() - 2)))


class LogitsOnly(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


def flat(t):
    return {"dims": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    net = ShapeArithNet().eval()
    x32 = torch.randn(N, 3, 8, 8, generator=gen)

    path = os.path.join(OUT, "model.onnx")
    torch.onnx.export(LogitsOnly(net), x32, path, opset_version=13, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    ops = sorted({n.op_type for n in mp.graph.node})
    print(f"ops: {ops}")
    assert "Shape" in ops and "Reshape" in ops, "the exporter should have emitted shape subgraphs"

    m64 = net.double()
    x64 = x32.double()
    gates = [torch.ones(c, dtype=torch.float64, requires_grad=True) for c in (8, 8, 16)]
    logits, z = m64(x64, gates)
    R1 = torch.randn(logits.shape, generator=gen, dtype=torch.float64)
    R2 = torch.randn(z.shape, generator=gen, dtype=torch.float64)
    grads = torch.autograd.grad((logits * R1).sum() + (z * R2).sum(), gates)
    ref = {
        "model": "model.onnx",
        "torch_version": torch.__version__,
        "input": flat(x64),
        "logits": flat(logits),
        "z": flat(z),
        "upstream_logits": flat(R1),
        "upstream_z": flat(R2),
        "sites": [
            {"description": d, "channels": len(g), "grad": [float(v) for v in g.tolist()]}
            for d, g in zip(("conv1 relu", "conv2 relu", "fc1 relu (z)"), grads)
        ],
    }
    with open(os.path.join(OUT, "ref.json"), "w") as f:
        json.dump(ref, f)
        f.write("\n")
    for fn in sorted(os.listdir(OUT)):
        print(f"{fn}: {os.path.getsize(os.path.join(OUT, fn)):,} bytes")


if __name__ == "__main__":
    main()
