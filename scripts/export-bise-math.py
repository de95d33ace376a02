"""Reference values for the BISE loss pieces (test/fixtures/bise-math.json), computed with PyTorch exactly as
the authors' code does (src/losses.py of github.com/ivanluizmatos/BISE, re-typed here): MI with clamps and
gradient, per-sample-weighted cross-entropy, SGD with momentum and weight decay, straight-through gate.

Run: /usr/bin/python3 scripts/export-bise-math.py   (dev tool; CI reads the committed JSON)
"""
import json
import math
import os

import numpy as np
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
out = {}


def mi_torch(logits, bias, k, mask=None):
    onehot = torch.nn.functional.one_hot(bias, num_classes=k).double()
    prob = torch.softmax(logits, dim=1)
    if mask is not None:
        onehot, prob = onehot[mask], prob[mask]
    n = onehot.sum()
    joint = torch.clamp(onehot.t() @ prob, min=1e-15) / n
    marg = torch.clamp(joint.sum(dim=1, keepdim=True) @ joint.sum(dim=0, keepdim=True), min=1e-15)
    return torch.sum(joint * torch.log(joint / marg) / math.log(k))


cases = []
for n, k, peaked in [(12, 3, False), (40, 10, True), (7, 2, False)]:
    logits = torch.randn(n, k) * (4.0 if peaked else 1.0)
    bias = torch.randint(0, k, (n,))
    target = torch.randint(0, k, (n,))
    mask = bias != target
    logits.requires_grad_(True)
    mi = mi_torch(logits, bias, k, mask)
    mi.backward()
    cases.append({"n": n, "k": k, "logits": logits.detach().flatten().tolist(), "bias": bias.tolist(),
                  "select": mask.tolist(), "mi": mi.item(), "grad": logits.grad.flatten().tolist()})
out["mutual_information"] = cases

logits = torch.randn(6, 4, requires_grad=True)
labels = torch.tensor([0, 3, 1, 1, 2, 0])
weights = torch.tensor([1.0, 0.5, 2.0, 1.0, 3.0, 0.25])
loss = (torch.nn.functional.cross_entropy(logits, labels, reduction="none") * weights).mean()
loss.backward()
out["weighted_cross_entropy"] = {"k": 4, "logits": logits.detach().flatten().tolist(), "labels": labels.tolist(),
                                 "weights": weights.tolist(), "loss": loss.item(), "grad": logits.grad.flatten().tolist()}

p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=1e-4)
grads = [[0.1, 0.2, -0.3], [0.0, -0.5, 0.25], [1.0, 1.0, 1.0]]
trace = []
for g in grads:
    opt.zero_grad()
    p.grad = torch.tensor(g)
    opt.step()
    trace.append(p.detach().tolist())
out["sgd"] = {"start": [0.5, -1.0, 2.0], "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "grads": grads, "params": trace}

m = torch.tensor([-2.0, -0.01, 0.0, 0.3, 5.0], requires_grad=True)
tau = 0.25
s = torch.sigmoid(m / tau)
g = (s >= 0.5).double()
ste = g.detach() + s - s.detach()  # straight-through: forward step, backward sigmoid
upstream = torch.tensor([1.0, -2.0, 0.5, 3.0, 1.0])
(ste * upstream).sum().backward()
out["gate"] = {"mask": m.detach().tolist(), "tau": tau, "gates": g.tolist(), "upstream": upstream.tolist(), "mask_grad": m.grad.tolist()}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "bise-math.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
