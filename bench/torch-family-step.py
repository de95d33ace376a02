"""PyTorch twin of the `families` and `imagenet` sections of `npm run bench:scale`: the BISE mask-learning step (gated
forward, BISE loss, backward to the gates, all gates open) of one torchvision family on CPU, gating exactly the
tensors the engine gated in the same model and computing the loss the engine's fused step computes.

The model is bench/torch_families.py's (BatchNorms folded) with the weights bench/torch-family-export.py saved next
to the ONNX file the engine ran. The gates come from the engine's GateLayout (bench/scale/gate-layout.ts, written by
the step child): one gate vector per dependency group, multiplied (entries repeated `repeat` times) onto each of its
ONNX tensors, found in the model by module scope (bench/torch_onnx_scope.py) and gated with forward hooks. The loss is
the layout's (`loss`, the step child's), on x[i] = sin(i) as the engine side feeds, written as
src/core/graphs/loss-graph.ts differentiates it: α·Σ_i w_i·CE_i / N plus, per auxiliary head, γ times the mutual
information of the head's prediction on z (the classifier's input) with the bias labels (mutual_information below).
Only the gates require grad: the heads' W and b are constants of the step, as the engine feeds them.

The first warm-up step also checks that every gate hook fired once on a tensor of its site's shape, and compares
the gate gradients with the engine's (reported as grad_max_rel_diff: max |ours - PyTorch| / max |ours|); it runs
even with --warmup 0. The cross-entropy outweighs the MI in dL/dgate by orders of magnitude at random weights, so an
untimed step before it compares the MI terms alone (α = 0, through the step child's check heads, whose logits tell
the rows apart: bench/scale/mi-check.ts), computed at the engine's z and backpropagated from this network's z: mi_grad_max_rel_diff, next to mi_grad_float32_noise (how
far float32 rounding alone moves dMI/dz at that z; about 1 when z is the same on every row, as in torchvision's
MobileNetV2 and EfficientNet-B0 at random weights, where the MI has no gradient to compare), mi_grad_share
(max |dMI/dgate| / max |dL/dgate|, ours) and z_max_rel_diff (the two forwards' z).

Usage: /usr/bin/python3 bench/torch-family-step.py --model NAME --weights FILE.pt --gates LAYOUT.json
                                                   --batch N --threads N --warmup N --repeats N [--size 32]
Prints one JSON line (bench/torch_timing.py) plus gate_vectors, units, grad_max_rel_diff, loss (its value at the
first step), the MI-alone check where the loss has MI terms (mi_grad_max_rel_diff, mi_grad_float32_noise,
mi_grad_share, z_max_rel_diff: see above) and blas (torch's BLAS_INFO). Dev tool only; never a runtime dependency.
"""
import copy
import json
import math
import re
from collections import defaultdict

import torch
import torch.nn.functional as F

from torch_families import FAMILIES, build_folded, sine_input
from torch_onnx_scope import place_site, resolve_call, node_scope, scope_paths
from torch_timing import step_arguments, time_and_report


class GateHooks:
    """Forward hooks multiplying gate vectors onto module call outputs / arguments, counted per forward."""

    def __init__(self, model, layout, gates):
        paths = scope_paths(model)
        modules = dict(model.named_modules())
        self.calls = defaultdict(int)
        self.fired = []
        # (module, call) -> [(kind, site index, gate, site)]
        self.wanted = defaultdict(list)
        index = 0
        for gate, g in zip(gates, layout["gates"]):
            for site in g["sites"]:
                kind, module, call = place_site(paths, site)
                self.wanted[(module, call)].append((kind, index, gate, site))
                index += 1
        self.sites = index
        model.register_forward_pre_hook(lambda *_: self.calls.clear())
        for module in {m for (m, _) in self.wanted}:
            modules[module].register_forward_pre_hook(self._pre(module))
            modules[module].register_forward_hook(self._post(module))
        classifier = resolve_call(paths, node_scope(layout["classifier"]), layout["classifier"])
        if classifier is None:
            raise ValueError(f"classifier node '{layout['classifier']}' runs in the model's own forward(), not in a module whose input is z")
        self.z = None
        modules[classifier[0]].register_forward_pre_hook(self._capture_z)

    def _capture_z(self, _module, args):
        self.z = args[0]

    def _gated(self, t, gate, site, index):
        axis = site["axis"]
        if t.dim() != site["rank"] or t.shape[axis] != site["channels"]:
            raise RuntimeError(f"gate site '{site['tensor']}' expects {site['channels']} channels on axis {axis}, rank {site['rank']}; "
                               f"the PyTorch tensor there is {tuple(t.shape)}")
        self.fired.append(index)
        g = gate.repeat_interleave(site["repeat"]) if site["repeat"] > 1 else gate
        return t * g.view(*[site["channels"] if i == axis else 1 for i in range(t.dim())])

    def _pre(self, module):
        def hook(_module, args):
            call = self.calls[module]
            for kind, index, gate, site in self.wanted.get((module, call), []):
                if kind == "input":
                    if len(args) != 1:
                        raise RuntimeError(f"gate site '{site['tensor']}': {module} takes {len(args)} arguments, not one")
                    args = (self._gated(args[0], gate, site, index),)
            return args
        return hook

    def _post(self, module):
        def hook(_module, _args, out):
            call = self.calls[module]
            self.calls[module] += 1
            for kind, index, gate, site in self.wanted.get((module, call), []):
                if kind == "output":
                    out = self._gated(out, gate, site, index)
            return out
        return hook


FLOOR = 1e-15
"""The clamp of src/core/bise/mutual-information.ts; torch.clamp passes the gradient where x >= FLOOR, as the engine."""


def mutual_information(head_logits, selected_onehot, count, classes):
    """The engine's MI of one head (src/core/bise/mutual-information.ts, the authors' src/losses.py): J the joint of
    the selected rows' one-hot bias labels and softmax(a), clamped at 1e-15, divided by their count; M the product of
    J's marginals, clamped at 1e-15; Σ J·log(J / M) / log K. No selected row: 0."""
    if count == 0:
        return head_logits.new_zeros(())
    joint = torch.clamp(selected_onehot.t() @ torch.softmax(head_logits, dim=1), min=FLOOR) / count
    marginals = torch.clamp(joint.sum(dim=1, keepdim=True) * joint.sum(dim=0, keepdim=True), min=FLOOR)
    return torch.sum(joint * torch.log(joint / marginals)) / math.log(classes)


class BiseLoss:
    """The loss of the engine's fused step from the layout's `loss` (bench/scale/mask-step-timing.ts StepLoss), its
    constant tensors built once, as the engine builds its loss feeds once before timing."""

    def __init__(self, loss, bottleneck_dims):
        self.n = len(loss["y"])
        self.y = torch.tensor(loss["y"], dtype=torch.long)
        # [N]: α·w_i/N, the engine's `weights` feed.
        self.weights = loss["alpha"] * torch.tensor(loss["sampleWeights"], dtype=torch.float32) / self.n
        self.gamma = loss["gamma"]
        d = math.prod(bottleneck_dims[1:])
        self.heads = []
        for h in loss["heads"]:
            k = h["classes"]
            bias = torch.tensor(h["biasLabels"], dtype=torch.long)
            select = torch.ones(self.n, dtype=torch.bool) if loss["miSamples"] == "all" else bias != self.y
            selected = F.one_hot(bias, k).float() * select.float().unsqueeze(1)
            self.heads.append((torch.tensor(h["weight"], dtype=torch.float32).view(k, d), torch.tensor(h["bias"], dtype=torch.float32),
                               selected, int(select.sum()), k))

    def cast(self, dtype):
        """This loss with its constants in `dtype`."""
        c = copy.copy(self)
        c.weights = self.weights.to(dtype)
        c.heads = [(w.to(dtype), b.to(dtype), selected.to(dtype), count, k) for w, b, selected, count, k in self.heads]
        return c

    def __call__(self, logits, z):
        ce = (F.cross_entropy(logits.reshape(self.n, -1), self.y, reduction="none") * self.weights).sum()
        if self.gamma == 0:
            return ce
        z2 = z.reshape(self.n, -1)
        mi = sum(mutual_information(F.linear(z2, w, b), selected, count, k) for w, b, selected, count, k in self.heads)
        return ce + self.gamma * mi


def rel_diff(ours, theirs):
    """max |ours − theirs| / max |ours| over all entries."""
    return ((ours - theirs).abs().max() / ours.abs().max().clamp_min(1e-30)).item()


def float32_noise(mi_only, z, logits_shape):
    """How far float32 rounding alone moves dMI/dz: max |float32 − float64| / max |float64| from the same z. The MI's
    gradient cancels terms of order 1 (dMI/dJ is −1 plus the dependence the rows show), so where z barely varies
    over the rows it is mostly rounding, and engine and PyTorch can differ by this much computing the same thing;
    about 1 or more: z is the same on every row and the MI has no gradient but rounding."""
    grads = []
    for dtype in (torch.float32, torch.float64):
        zz = z.detach().to(dtype).requires_grad_(True)
        mi_only.cast(dtype)(torch.zeros(logits_shape, dtype=dtype), zz).backward()
        grads.append(zz.grad.double())
    return rel_diff(grads[1], grads[0]) if grads[1].abs().max() > 0 else 1.0


def blas_info():
    """torch's BLAS_INFO build setting: Debian's torch says 'generic' (the reference BLAS, no optimised GEMM), which
    makes its Linear/matmul layers slow; its convolutions go through oneDNN either way."""
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def main():
    a, start_rss = step_arguments(list(FAMILIES), weights="", gates="", size="32")
    model = build_folded(a.model)
    model.load_state_dict(torch.load(a.weights))
    with open(a.gates) as f:
        layout = json.load(f)
    if "loss" not in layout:
        raise SystemExit(f"{a.gates} has no 'loss': write it with bench/scale/step-child.ts --gates-out (the fused step's BISE loss)")
    gates = [torch.ones(g["units"], requires_grad=True) for g in layout["gates"]]
    hooks = GateHooks(model, layout, gates)
    x = sine_input(a.batch, int(a.size))
    if len(layout["loss"]["y"]) != a.batch:
        raise SystemExit(f"the layout's loss has {len(layout['loss']['y'])} labels, the batch is {a.batch}")
    bise_loss = BiseLoss(layout["loss"], layout["bottleneckDims"])
    check = layout["miCheck"]
    mi_only = BiseLoss({**layout["loss"], "alpha": 0, "heads": [{**h, **c} for h, c in zip(layout["loss"]["heads"], check["heads"])]},
                       layout["bottleneckDims"])

    def step():
        for g in gates:
            g.grad = None
        hooks.fired.clear()
        loss = bise_loss(model(x), hooks.z)
        loss.backward()
        return loss

    def checked():
        """Checks that every gate hook of the last step fired once, and that z has the engine's dims."""
        if sorted(hooks.fired) != list(range(hooks.sites)):
            raise SystemExit(f"gate hooks fired for sites {sorted(hooks.fired)}, expected each of the {hooks.sites} sites once")
        if list(hooks.z.shape) != layout["bottleneckDims"]:
            raise SystemExit(f"z (the classifier's input) is {list(hooks.z.shape)} here, {layout['bottleneckDims']} in the engine")

    def engine_grads(arrays):
        return torch.cat([torch.tensor(v, dtype=torch.float32) for v in arrays])

    # Untimed, first: the MI terms alone (α = 0, the step child's check heads: bench/scale/mi-check.ts), computed at
    # the engine's z and backpropagated through this network from its own z. dMI/dz amplifies the float32 differences
    # between the two forwards where z barely varies over the rows; at the same z only rounding in the loss and the
    # backward remains.
    mi_check = {}
    if mi_only.gamma != 0 and mi_only.heads:
        for g in gates:
            g.grad = None
        hooks.fired.clear()
        logits = model(x)
        checked()
        z_engine = torch.tensor(check["z"], dtype=torch.float32).view(hooks.z.shape).requires_grad_(True)
        mi_only(torch.zeros_like(logits), z_engine).backward()
        hooks.z.backward(z_engine.grad)
        mi_ours = engine_grads(check["gateGrads"])
        mi_check = {"mi_grad_max_rel_diff": rel_diff(mi_ours, torch.cat([g.grad for g in gates])),
                    "mi_grad_float32_noise": float32_noise(mi_only, z_engine, logits.shape),
                    "mi_grad_share": (mi_ours.abs().max() / engine_grads(layout["gateGrads"]).abs().max().clamp_min(1e-30)).item(),
                    "z_max_rel_diff": rel_diff(z_engine.detach(), hooks.z.detach())}
    # The full loss, the first warm-up.
    first_loss = step().item()
    checked()

    time_and_report(step, max(0, a.warmup - 1), a.repeats, start_rss, gate_vectors=len(gates),
                    units=sum(g["units"] for g in layout["gates"]), grad_max_rel_diff=rel_diff(engine_grads(layout["gateGrads"]), torch.cat([g.grad for g in gates])),
                    loss=first_loss, **mi_check, blas=blas_info())

if __name__ == "__main__":
    main()
