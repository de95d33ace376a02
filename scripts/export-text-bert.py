"""Generate test/fixtures/text/wordpiece/bert-tiny.onnx: the tiny BERT-style classifier of
scripts/export-transformers.py (same modules, same random initialisation scheme, opset 14), with an embedding table
as large as the vocabulary of the fixture tokenizer next to it (test/fixtures/text/wordpiece/tokenizer.json) and 32
positions (the fixture texts tokenise to at most 27), so that `bise extract`/`bise eval` can be run end to end on
test/fixtures/text/comments.csv with the tokenizer found next to the model. Random weights: the tests check the
pipeline (masks, pruned export verified, report), not accuracy.

How to run (dev only; Debian's python3-torch 1.13 and python3-onnx):
    /usr/bin/python3 scripts/export-text-bert.py

It also writes bert-tiny-fixed32.onnx: the same weights exported with the sequence length fixed at 32 (only the
batch dynamic), as an export without a dynamic sequence axis is; the engine pads the texts to it.

Deterministic: rerunning gives byte-identical files. CI never runs this script: the fixture is committed.
"""

import importlib.util
import json
import os
import warnings

import onnx
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "test", "fixtures", "text", "wordpiece")

spec = importlib.util.spec_from_file_location("export_transformers", os.path.join(ROOT, "scripts", "export-transformers.py"))
bert = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bert)


def vocabulary_size():
    with open(os.path.join(FOLDER, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    ids = list(tokenizer["model"]["vocab"].values()) + [t["id"] for t in tokenizer.get("added_tokens", [])]
    return max(ids) + 1


def main():
    # The modules read these module constants when they are built.
    bert.VOCAB = vocabulary_size()
    bert.POSITIONS = 32
    seed = 155
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = bert.BertForSequenceClassification(-10000.0).eval()
    bert.randomize(model, gen)
    inputs = bert.reference_inputs(gen)
    with torch.no_grad():
        top = model(*inputs).abs().max()
        model.classifier.weight.mul_(4 / top)
        model.classifier.bias.mul_(4 / top)
    path = os.path.join(FOLDER, "bert-tiny.onnx")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, inputs, path, opset_version=14, do_constant_folding=True,
                          input_names=names, output_names=["logits"],
                          dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print(f"{path}: {os.path.getsize(path)} bytes, vocabulary {bert.VOCAB}, {bert.POSITIONS} positions")
    # The same weights exported as exporters often write it: the sequence length fixed (here at all 32 positions,
    # the texts padded to it), only the batch dynamic, the shape arithmetic folded into constants.
    fixed = os.path.join(FOLDER, "bert-tiny-fixed32.onnx")
    padded = tuple(torch.nn.functional.pad(t, (0, bert.POSITIONS - t.shape[1])) for t in inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, padded, fixed, opset_version=14, do_constant_folding=True,
                          input_names=names, output_names=["logits"],
                          dynamic_axes={**{n: {0: "batch"} for n in names}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(fixed))
    print(f"{fixed}: {os.path.getsize(fixed)} bytes, sequence fixed at {bert.POSITIONS}")


if __name__ == "__main__":
    main()
