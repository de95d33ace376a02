"""Exports one family of the `families` section of `npm run bench:scale` for both sides of the bench: the model of
bench/torch_families.py (BatchNorms folded) as ONNX (dynamic batch) and its state dict, which
bench/torch-family-step.py loads, so both sides run the same weights.

Usage: /usr/bin/python3 bench/torch-family-export.py --model NAME --out DIR [--opset 13] [--size 32]
Writes DIR/NAME.onnx and DIR/NAME.pt; prints one JSON line {onnx, weights, opset, parameters, folded}.
Fails (exit 1, the reason on stderr) when folding changed the model's function or the exporter folded a
BatchNorm that the PyTorch side kept. Dev tool only; never a runtime dependency.
"""
import argparse
import json
import os
import warnings

import onnx
import torch
import torch.nn as nn

from torch_families import FAMILIES, INPUT_SIZE, build_unfolded, fold_batchnorms, input_shape, sine_input


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=FAMILIES)
    p.add_argument("--out", required=True)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--size", type=int, default=INPUT_SIZE, help="input height and width (fixed in the export; the batch stays dynamic)")
    a = p.parse_args()
    torch.set_num_threads(1)

    model = build_unfolded(a.model)
    x = sine_input(4, a.size)
    with torch.no_grad():
        before = model(x)
        folded = fold_batchnorms(model)
        after = model(x)
    scale = before.abs().max().item()
    if not torch.allclose(before, after, rtol=0, atol=1e-4 * (1 + scale)):
        raise SystemExit(f"folding BatchNorms into convs changed {a.model}'s logits by {(before - after).abs().max().item():.3g}")

    path = os.path.join(a.out, f"{a.model}.onnx")
    weights = os.path.join(a.out, f"{a.model}.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, *input_shape(a.size)), path, opset_version=a.opset, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    torch.save(model.state_dict(), weights)

    # The exporter folds conv + BatchNorm pairs itself; one it folds that fold_batchnorms kept would make PyTorch
    # time a different graph than the engine.
    kept = sum(1 for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    in_onnx = sum(1 for n in onnx.load(path, load_external_data=False).graph.node if n.op_type == "BatchNormalization")
    if kept != in_onnx:
        raise SystemExit(f"{a.model}: PyTorch keeps {kept} BatchNorms, the ONNX export {in_onnx}")
    print(json.dumps({"onnx": path, "weights": weights, "opset": a.opset, "folded": folded,
                      "parameters": sum(t.numel() for t in model.parameters())}))


if __name__ == "__main__":
    main()
