"""PyTorch twin of the `families` section of `npm run bench:scale`: the BISE mask-learning step (gated forward +
backward to the gates, all gates open) of one torchvision family on CPU, gating exactly the tensors the engine
gated in the same model.

The model is bench/torch_families.py's (BatchNorms folded) with the weights bench/torch-family-export.py saved next
to the ONNX file the engine ran. The gates come from the engine's GateLayout (bench/scale/gate-layout.ts, written by
the step child): one gate vector per dependency group, multiplied (entries repeated `repeat` times) onto each of its
ONNX tensors, found in the model by module scope (bench/torch_onnx_scope.py) and gated with forward hooks. The loss is
0.01·Σlogits + 0.01·Σz, z the classifier's input, on x[i] = sin(i): the upstream gradients and input the engine side
feeds. Only the gates require grad.

The first warm-up step also checks that every gate hook fired once on a tensor of its site's shape, and compares
the gate gradients with the engine's (reported as grad_max_rel_diff: max |ours - PyTorch| / max |ours|); it runs
even with --warmup 0.

Usage: /usr/bin/python3 bench/torch-family-step.py --model NAME --weights FILE.pt --gates LAYOUT.json
                                                   --batch N --threads N --warmup N --repeats N [--size 32]
Prints one JSON line (bench/torch_timing.py) plus gate_vectors, units, grad_max_rel_diff and blas (torch's
BLAS_INFO). Dev tool only; never a runtime dependency.
"""
import json
import re
from collections import defaultdict

import torch

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
    gates = [torch.ones(g["units"], requires_grad=True) for g in layout["gates"]]
    hooks = GateHooks(model, layout, gates)
    x = sine_input(a.batch, int(a.size))

    def step():
        for g in gates:
            g.grad = None
        hooks.fired.clear()
        logits = model(x)
        (0.01 * logits.sum() + 0.01 * hooks.z.sum()).backward()

    step()
    if sorted(hooks.fired) != list(range(hooks.sites)):
        raise SystemExit(f"gate hooks fired for sites {sorted(hooks.fired)}, expected each of the {hooks.sites} sites once")
    ours = torch.cat([torch.tensor(v, dtype=torch.float32) for v in layout["gateGrads"]])
    theirs = torch.cat([g.grad for g in gates])
    diff = ((ours - theirs).abs().max() / ours.abs().max().clamp_min(1e-30)).item()

    time_and_report(step, max(0, a.warmup - 1), a.repeats, start_rss, gate_vectors=len(gates),
                    units=sum(g["units"] for g in layout["gates"]), grad_max_rel_diff=diff, blas=blas_info())


if __name__ == "__main__":
    main()
