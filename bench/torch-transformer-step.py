"""PyTorch twin of the `transformers` section of `npm run bench:scale`: the BISE mask-learning step (gated forward +
backward to the gates, all gates open) of bert-mini or ViT on CPU, gating exactly the tensors the engine gated in
the same model.

The model is bench/torch_transformers.py's with the weights bench/torch-transformer-export.py saved next to the ONNX
file the engine ran. The gates come from the engine's GateLayout (bench/scale/gate-layout.ts): MLP neurons (the
GELU output) and the pooled z are gated by forward hooks on the modules whose scopes torch.onnx wrote into the node
names (bench/torch-family-step.py's GateHooks); an attention-head gate (bert-mini with --units heads|both: the
per-head context softmax(QKᵀ)·V, [batch, heads, sequence, head size], on its heads axis 1) goes into the
SelfAttention's own head_gate, which multiplies that same tensor before the heads are merged. The loss is
0.01·Σlogits + 0.01·Σz, z the classifier's input, on the token batch the export wrote (bert-mini) or x[i] = sin(i)
(ViT): the upstream gradients and inputs the engine side feeds. Only the gates require grad.

The first step also checks that every hooked site fired once on a tensor of its site's shape, and compares the gate
gradients with the engine's (grad_max_rel_diff: max |ours - PyTorch| / max |ours|); it runs even with --warmup 0.

Usage: /usr/bin/python3 bench/torch-transformer-step.py --model bert-mini|vit --weights FILE.pt --gates LAYOUT.json
                                                        [--inputs FILE.json] --batch N --threads N --warmup N --repeats N
Prints one JSON line (bench/torch_timing.py) plus gate_vectors, units, head_gates, grad_max_rel_diff and blas.
Dev tool only; never a runtime dependency.
"""
import importlib.util
import json
import os
import re

import torch
import torch.nn as nn

from torch_onnx_scope import unqualified
from torch_timing import step_arguments, time_and_report
from torch_transformers import MODELS, build, sine_image

HEAD_CONTEXT = re.compile(r"^/bert/encoder/layer\.(\d+)/attention/self/")


def called_scope_paths(model):
    """torch_onnx_scope.scope_paths without ModuleList/ModuleDict components: they are never called, so torch.onnx
    writes no scope for them ('/bert/encoder/layer.0/…' for the module bert.encoder.layer.0)."""
    names = {name for name, _ in model.named_modules()}
    containers = {name for name, m in model.named_modules() if isinstance(m, (nn.ModuleList, nn.ModuleDict))}
    paths = {}
    for name in names - containers - {""}:
        atoms = name.split(".")
        prefixes = [".".join(atoms[: i + 1]) for i in range(len(atoms))]
        paths[tuple(unqualified(p) for p in prefixes if p in names and p not in containers)] = name
    return paths


def _family_step():
    """bench/torch-family-step.py (a hyphenated name) as a module: its GateHooks and blas_info, its GateHooks
    finding modules by called_scope_paths (bert-mini's layers sit in a ModuleList)."""
    spec = importlib.util.spec_from_file_location("torch_family_step", os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch-family-step.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    m.scope_paths = called_scope_paths
    return m


def head_layer(site, heads):
    """The encoder layer whose per-head context this site is, or None when it is not a head site. A head site that
    head_gate could not multiply the same way (another axis, rank or head count) is refused."""
    m = HEAD_CONTEXT.match(site["producer"] or "")
    if not m or site["rank"] != 4:
        return None
    if site["axis"] != 1 or site["channels"] != heads or site["repeat"] != 1:
        raise SystemExit(f"head site '{site['tensor']}': the engine gates {site['channels']} channels on axis {site['axis']} "
                         f"(repeat {site['repeat']}); the PyTorch head_gate multiplies {heads} heads on axis 1")
    return int(m.group(1))


def split_head_gates(model, layout, gates):
    """Puts each head gate into its layer's head_gate; returns the layout and gates left for the hooks."""
    layers = model.bert.encoder.layer if hasattr(model, "bert") else []
    heads = layers[0].attention.self.num_attention_heads if len(layers) else 0
    hooked, hooked_gates, placed = [], [], 0
    for gate, g in zip(gates, layout["gates"]):
        found = [head_layer(s, heads) for s in g["sites"]] if len(layers) else [None] * len(g["sites"])
        if all(f is None for f in found):
            hooked.append(g)
            hooked_gates.append(gate)
        elif len(found) == 1:
            layers[found[0]].attention.self.head_gate = gate
            placed += 1
        else:
            raise SystemExit(f"a gate vector of {g['units']} units spans a head context and other tensors: {[s['tensor'] for s in g['sites']]}")
    return {**layout, "gates": hooked}, hooked_gates, placed


def model_input(a):
    if a.model == "vit":
        return (sine_image(a.batch),)
    with open(a.inputs) as f:
        values = json.load(f)
    tensors = tuple(torch.tensor(values[n]["data"], dtype=torch.int64).view(*values[n]["dims"]) for n in ("input_ids", "attention_mask"))
    if tensors[0].shape[0] != a.batch:
        raise SystemExit(f"--inputs holds a batch of {tensors[0].shape[0]}, not --batch {a.batch}")
    return tensors


def main():
    a, start_rss = step_arguments(list(MODELS), weights="", gates="", inputs="")
    model, _ = build(a.model)
    model.load_state_dict(torch.load(a.weights))
    for p in model.parameters():
        p.requires_grad_(False)
    with open(a.gates) as f:
        layout = json.load(f)
    gates = [torch.ones(g["units"], requires_grad=True) for g in layout["gates"]]
    family_step = _family_step()
    hooked_layout, hooked_gates, head_gates = split_head_gates(model, layout, gates)
    hooks = family_step.GateHooks(model, hooked_layout, hooked_gates)
    x = model_input(a)

    def step():
        for g in gates:
            g.grad = None
        hooks.fired.clear()
        logits = model(*x)
        (0.01 * logits.sum() + 0.01 * hooks.z.sum()).backward()

    step()
    if sorted(hooks.fired) != list(range(hooks.sites)):
        raise SystemExit(f"gate hooks fired for sites {sorted(hooks.fired)}, expected each of the {hooks.sites} sites once")
    if any(g.grad is None for g in gates):
        raise SystemExit("a gate got no gradient: PyTorch did not use it")
    ours = torch.cat([torch.tensor(v, dtype=torch.float32) for v in layout["gateGrads"]])
    theirs = torch.cat([g.grad for g in gates])
    diff = ((ours - theirs).abs().max() / ours.abs().max().clamp_min(1e-30)).item()

    time_and_report(step, max(0, a.warmup - 1), a.repeats, start_rss, gate_vectors=len(gates), head_gates=head_gates,
                    units=sum(g["units"] for g in layout["gates"]), grad_max_rel_diff=diff, blas=family_step.blas_info())


if __name__ == "__main__":
    main()
