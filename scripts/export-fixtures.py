"""Generate the ONNX models and float64 reference data in test/fixtures/.

What it makes (all under test/fixtures/):
  simple-convnet.onnx / .ref.json  BiasedMNIST SimpleConvNet (ReBias), input [N,3,28,28]
  resnet18.onnx       / .ref.json  torchvision resnet18(num_classes=10), input [N,3,32,32]
  mlp.onnx            / .ref.json  Multi-Color-MNIST MLP, input [N,3,28,28]

Each .ref.json holds a fixed batch of 4 inputs, the float64 logits, the
bottleneck z (input of the final Linear / Gemm), the fixed upstream gradients
R1 (for the logits) and R2 (for z), and, for every gate site in topological
order, dL/dg where g is a per-channel gate (all ones) multiplied onto the
site's tensor and L = sum(logits * R1) + sum(z * R2). See
test/fixtures/README.md for the list of gate sites.

How to run (dev only; needs Debian's python3-torch, python3-torchvision,
python3-onnx):
    /usr/bin/python3 scripts/export-fixtures.py

CI never runs this script: the generated fixtures are committed.
"""

import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures")
N = 4


# ---------------------------------------------------------------- models

class SimpleConvNet(nn.Module):
    """ReBias BiasedMNIST SimpleConvNet (kernel 7, channels 16/32/64/128)."""

    def __init__(self, num_classes=10, kernel_size=7):
        super().__init__()
        padding = kernel_size // 2
        layers = []
        cin = 3
        for cout in (16, 32, 64, 128):
            layers += [
                nn.Conv2d(cin, cout, kernel_size=kernel_size, padding=padding),
                nn.BatchNorm2d(cout),
                nn.ReLU(inplace=False),
            ]
            cin = cout
        self.extracter = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.extracter(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def make_mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(3 * 28 * 28, 100), nn.ReLU(),
        nn.Linear(100, 100), nn.ReLU(),
        nn.Linear(100, 100), nn.ReLU(),
        nn.Linear(100, 10),
    )


# ------------------------------------------------- gated forward functions
# Each returns (logits, z) and multiplies the site tensors by the gates
# explicitly, in topological order.

def gate(h, g):
    if h.dim() == 4:
        return h * g.view(1, -1, 1, 1)
    return h * g.view(1, -1)


def simple_convnet_gated(m, x, gates):
    feats = m.extracter
    h = x
    for i in range(4):
        conv, bn, relu = feats[3 * i], feats[3 * i + 1], feats[3 * i + 2]
        h = gate(relu(bn(conv(h))), gates[i])
    z = torch.flatten(m.avgpool(h), 1)
    return m.fc(z), z


def basic_block_gated(b, x, g_mid, g_out):
    identity = x
    out = gate(F.relu(b.bn1(b.conv1(x))), g_mid)
    out = b.bn2(b.conv2(out))
    if b.downsample is not None:
        identity = b.downsample(x)
    out = gate(F.relu(out + identity), g_out)
    return out


def resnet18_gated(m, x, gates):
    h = gate(F.relu(m.bn1(m.conv1(x))), gates[0])
    h = m.maxpool(h)
    k = 1
    for layer in (m.layer1, m.layer2, m.layer3, m.layer4):
        for b in layer:
            h = basic_block_gated(b, h, gates[k], gates[k + 1])
            k += 2
    z = torch.flatten(m.avgpool(h), 1)
    return m.fc(z), z


def mlp_gated(m, x, gates):
    h = m[0](x)
    h = gate(F.relu(m[1](h)), gates[0])
    h = gate(F.relu(m[3](h)), gates[1])
    z = gate(F.relu(m[5](h)), gates[2])
    return m[7](z), z


def simple_convnet_sites():
    return [(f"extracter.{3 * i + 2} relu (block {i + 1})", c)
            for i, c in enumerate((16, 32, 64, 128))]


def resnet18_sites():
    sites = [("stem relu (after bn1, before maxpool)", 64)]
    for li, c in enumerate((64, 128, 256, 512), start=1):
        for bi in range(2):
            sites.append((f"layer{li}.{bi} relu after bn1 (before conv2)", c))
            sites.append((f"layer{li}.{bi} output (after residual add + relu)", c))
    return sites


def mlp_sites():
    return [(f"hidden relu {i + 1} (module {2 * i + 2})", 100) for i in range(3)]


# ------------------------------------------------------------- helpers

def randomize_bn(model, gen):
    for mod in model.modules():
        if isinstance(mod, nn.BatchNorm2d):
            c = mod.num_features
            with torch.no_grad():
                mod.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                mod.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def rescale_final(model, fc, x, target=4.0):
    """Scale the final Linear so that the logits' max |value| is ~target."""
    with torch.no_grad():
        m = model(x).abs().max().item()
        s = target / max(m, 1e-12)
        fc.weight.mul_(s)
        fc.bias.mul_(s)
    return s


def flat(t):
    return {"dims": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def export(model, x, path):
    torch.onnx.export(model, x, path, opset_version=13, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    g = mp.graph
    ops = sorted({n.op_type for n in g.node})
    gemms = [n for n in g.node if n.op_type == "Gemm"]
    z_name = gemms[-1].input[0]
    print(f"  ops: {ops}")
    print(f"  op counts: { {o: sum(n.op_type == o for n in g.node) for o in ops} }")
    print(f"  graph input: {[i.name for i in g.input]}  output: {[o.name for o in g.output]}")
    print(f"  z tensor (input of final Gemm): {z_name!r}")
    return ops, z_name


def build(name, model, gated, sites, in_shape, seed):
    print(f"== {name}")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = model()
    randomize_bn(model, gen)
    model.eval()

    x32 = torch.randn(N, *in_shape, generator=gen).to(torch.float32)
    fc = model.fc if hasattr(model, "fc") else model[-1]
    s = rescale_final(model, fc, x32)
    print(f"  final Linear rescaled by {s:.4g}")

    path = os.path.join(OUT, f"{name}.onnx")
    ops, z_name = export(model, x32, path)

    with torch.no_grad():
        logits32 = model(x32)

    # float64 reference on the same weights.
    m64 = model.double().eval()
    x64 = x32.to(torch.float64)
    gates = [torch.ones(c, dtype=torch.float64, requires_grad=True) for _, c in sites]
    logits, z = gated(m64, x64, gates)
    with torch.no_grad():
        plain = m64(x64)
    assert torch.allclose(plain, logits, rtol=0, atol=1e-12), "gated forward != module forward"

    R1 = torch.randn(logits.shape, generator=gen, dtype=torch.float64)
    R2 = torch.randn(z.shape, generator=gen, dtype=torch.float64)
    L = (logits * R1).sum() + (z * R2).sum()
    grads = torch.autograd.grad(L, gates)

    diff = (logits32.double() - logits.detach()).abs().max().item()
    print(f"  logits range: [{logits.min().item():.3f}, {logits.max().item():.3f}]")
    print(f"  max|logits_f32 - logits_f64| = {diff:.3e}")

    ref = {
        "model": f"{name}.onnx",
        "torch_version": torch.__version__,
        "input": flat(x64),
        "logits": flat(logits),
        "z": flat(z),
        "upstream_logits": flat(R1),
        "upstream_z": flat(R2),
        "sites": [
            {"description": d, "channels": c, "grad": [float(v) for v in g.tolist()]}
            for (d, c), g in zip(sites, grads)
        ],
    }
    with open(os.path.join(OUT, f"{name}.ref.json"), "w") as f:
        json.dump(ref, f)
        f.write("\n")
    return {"ops": ops, "z": z_name, "diff": diff}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    build("simple-convnet", SimpleConvNet, simple_convnet_gated,
          simple_convnet_sites(), (3, 28, 28), seed=0)
    build("resnet18", lambda: torchvision.models.resnet18(num_classes=10),
          resnet18_gated, resnet18_sites(), (3, 32, 32), seed=1)
    build("mlp", make_mlp, mlp_gated, mlp_sites(), (3, 28, 28), seed=2)
    print("== sizes")
    for fn in sorted(os.listdir(OUT)):
        print(f"  {fn}: {os.path.getsize(os.path.join(OUT, fn)):,} bytes")


if __name__ == "__main__":
    main()
