"""Exports one model of the `transformers` section of `npm run bench:scale` for both sides of the bench: the model of
bench/torch_transformers.py as ONNX (opset 17; dynamic batch, and for bert-mini dynamic sequence) and its state
dict, which bench/torch-transformer-step.py loads, so both sides run the same weights. For bert-mini it also writes
the token batch both sides feed (bench/torch_transformers.py's bert_inputs) as JSON.

Usage: /usr/bin/python3 bench/torch-transformer-export.py --model bert-mini|vit --out DIR [--batch 32] [--sequence 128]
Writes DIR/MODEL.onnx, DIR/MODEL.pt and, for bert-mini, DIR/MODEL.inputs.json ({input_ids, attention_mask}: each
{dims, data}); prints one JSON line {onnx, weights, inputs, opset, parameters}. Dev tool only; never a runtime
dependency.
"""
import argparse
import json
import os
import warnings

import torch

from torch_transformers import MODELS, VIT, bert_inputs, build

OPSET = 17


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--out", required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--sequence", type=int, default=128)
    a = p.parse_args()
    torch.set_num_threads(1)

    model, _ = build(a.model)
    path = os.path.join(a.out, f"{a.model}.onnx")
    weights = os.path.join(a.out, f"{a.model}.pt")
    inputs = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if a.model == "vit":
            size = VIT["image_size"]
            torch.onnx.export(model, torch.zeros(1, 3, size, size), path, opset_version=OPSET, do_constant_folding=True,
                              input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        else:
            ids, mask = bert_inputs(a.batch, a.sequence)
            names = ["input_ids", "attention_mask"]
            # Traced on a smaller batch than the timed one, so that no size of the bench is baked in.
            torch.onnx.export(model, (ids[:3, :7], mask[:3, :7]), path, opset_version=OPSET, do_constant_folding=True,
                              input_names=names, output_names=["logits"],
                              dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "logits": {0: "batch"}})
            inputs = os.path.join(a.out, f"{a.model}.inputs.json")
            with open(inputs, "w") as f:
                json.dump({n: {"dims": list(t.shape), "data": t.reshape(-1).tolist()} for n, t in zip(names, (ids, mask))}, f)
    torch.save(model.state_dict(), weights)
    print(json.dumps({"onnx": path, "weights": weights, "inputs": inputs, "opset": OPSET,
                      "parameters": sum(t.numel() for t in model.parameters())}))


if __name__ == "__main__":
    main()
