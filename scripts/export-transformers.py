"""Generate the transformer fixtures in test/fixtures/transformers/: a tiny BERT-style sequence classifier written
in plain torch the way Hugging Face's BertForSequenceClassification is, exported by torch.onnx at opset 14 and 17,
each with a float64 PyTorch reference.

What it makes (all under test/fixtures/transformers/):
  bert-tiny-op14.onnx      opset 14: LayerNorm decomposed (ReduceMean/Sub/Pow/Sqrt/Div), additive mask -10000.0
                           (older Hugging Face)
  bert-tiny-op17.onnx      opset 17: LayerNormalization, additive mask torch.finfo(float32).min (current HF)
  <model>.ref.json         its float64 reference (format below)

The model (random weights, eval mode): word + position + token-type embeddings, LayerNorm, dropout; per layer
self-attention (Q/K/V linears, heads split by view/permute, scores / sqrt(head size) + the extended attention mask
(1 - mask[:, None, None, :]) * m, softmax, context, heads merged by permute/view), output dense + dropout + residual
+ LayerNorm; intermediate dense + GELU (erf); output dense + dropout + residual + LayerNorm; pooler dense + tanh on
token 0; dropout; classifier. Vocabulary 120, hidden 32, 2 layers, 4 heads, intermediate 64, 16 positions,
2 classes. Inputs input_ids, attention_mask, token_type_ids (int64, dynamic axes batch and sequence); output
logits (dynamic batch).

Reference (`.ref.json`), float64 PyTorch on the same weights, for a fixed batch of 3 sequences of 7 tokens (lengths
7, 5 and 3, padded with id 0 and mask 0; the last tokens of each sequence have token type 1):
  inputs: {name: {dims, data, dtype}} in the graph's input order; logits; z_tensor (the ONNX name of the
  classifier's input, the pooled [CLS] vector) and z; upstream_logits and upstream_z (all 0.01: the loss is
  L = 0.01 * sum(logits) + 0.01 * sum(z)); sites: per layer, the intermediate activation (GELU output, [batch,
  sequence, 64]) with `grad_last` = dL/dg for a gate g of ones multiplied onto its last axis, then the pooled
  output z ([batch, 32]) with `grad` = dL/dg for a gate on its axis 1. Each site names its ONNX tensor (`tensor`).
  head_sites: per layer, the per-head context softmax(QK^T)V ([batch, 4 heads, sequence, 8]) with `grad` = dL/dg
  for a gate of ones multiplied onto its heads axis 1 (all gates, MLP, pooled and head, are ones together).
  Values have 12 (logits, z) and 6 (gradients) significant digits.

How to run (dev only; Debian's python3-torch 1.13 and python3-onnx):
    /usr/bin/python3 scripts/export-transformers.py

Deterministic: rerunning gives byte-identical files. CI never runs this script: the fixtures are committed.
"""

import json
import math
import os
import warnings

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "transformers")

VOCAB = 120
HIDDEN = 32
LAYERS = 2
HEADS = 4
INTERMEDIATE = 64
POSITIONS = 16
TYPES = 2
CLASSES = 2
UPSTREAM = 0.01


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN, padding_idx=0)
        self.position_embeddings = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(TYPES, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.register_buffer("position_ids", torch.arange(POSITIONS).expand((1, -1)))

    def forward(self, input_ids, token_type_ids):
        seq_length = input_ids.size()[1]
        position_ids = self.position_ids[:, :seq_length]
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.num_attention_heads = HEADS
        self.attention_head_size = HIDDEN // HEADS
        self.all_head_size = HIDDEN
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.dropout = nn.Dropout(0.1)
        self.head_gate = None  # the reference's gate per head on the context (never set at export)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        return x.view(new_x_shape).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = self.dropout(F.softmax(attention_scores, dim=-1))
        context_layer = torch.matmul(attention_probs, value_layer)
        if self.head_gate is not None:
            context_layer = context_layer * self.head_gate[None, :, None, None]
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        return context_layer.view(new_context_layer_shape)


class DenseResidualNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, dropout, LayerNorm(dense + residual)."""

    def __init__(self, width):
        super().__init__()
        self.dense = nn.Linear(width, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseResidualNorm(HIDDEN)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, INTERMEDIATE)
        self.gate = None  # the reference's gate on the activation's last axis (never set at export)

    def forward(self, hidden_states):
        h = F.gelu(self.dense(hidden_states))
        return h if self.gate is None else h * self.gate


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Intermediate()
        self.output = DenseResidualNorm(INTERMEDIATE)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, hidden_states, attention_mask):
        for layer in self.layer:
            hidden_states = layer(hidden_states, attention_mask)
        return hidden_states


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class Bert(nn.Module):
    def __init__(self, mask_value):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()
        self.pooler = Pooler()
        self.mask_value = mask_value

    def forward(self, input_ids, attention_mask, token_type_ids):
        dtype = self.embeddings.word_embeddings.weight.dtype
        extended_attention_mask = attention_mask[:, None, None, :].to(dtype=dtype)
        fill = torch.finfo(dtype).min if self.mask_value == "finfo" else self.mask_value
        extended_attention_mask = (1.0 - extended_attention_mask) * fill
        hidden = self.encoder(self.embeddings(input_ids, token_type_ids), extended_attention_mask)
        return self.pooler(hidden)


class BertForSequenceClassification(nn.Module):
    def __init__(self, mask_value):
        super().__init__()
        self.bert = Bert(mask_value)
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(HIDDEN, CLASSES)
        self.pooled = None  # set by each forward, for the reference's z

    def forward(self, input_ids, attention_mask, token_type_ids):
        self.pooled = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(self.pooled))


def randomize(model, gen):
    """Weights of a usable scale (default Linear init; N(0, 1) embeddings), LayerNorm affines randomised."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Embedding):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen))
                if m.padding_idx is not None:
                    m.weight[m.padding_idx].zero_()
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=gen))
            elif isinstance(m, nn.Linear):
                bound = 1 / math.sqrt(m.in_features)
                m.weight.copy_((torch.rand(m.weight.shape, generator=gen) * 2 - 1) * bound * math.sqrt(3))
                m.bias.copy_((torch.rand(m.bias.shape, generator=gen) * 2 - 1) * bound)


def reference_inputs(gen):
    lengths = [7, 5, 3]
    n, s = len(lengths), 7
    ids = torch.zeros((n, s), dtype=torch.int64)
    mask = torch.zeros((n, s), dtype=torch.int64)
    types = torch.zeros((n, s), dtype=torch.int64)
    for i, length in enumerate(lengths):
        ids[i, 0] = 2  # [CLS]
        ids[i, 1:length] = torch.randint(3, VOCAB, (length - 1,), generator=gen)
        mask[i, :length] = 1
        types[i, length - 2:length] = 1
    return ids, mask, types


def flat(t, digits=None, dtype=None):
    vals = t.detach().reshape(-1).tolist()
    if digits:
        vals = [float(f"{v:.{digits}g}") for v in vals]
    out = {"dims": list(t.shape), "data": vals}
    if dtype:
        out["dtype"] = dtype
    return out


def onnx_names(mp):
    """The ONNX names of each layer's intermediate activation (the output dense's input) and of z."""
    by_name = {n.name: n for n in mp.graph.node}
    sites = []
    for i in range(LAYERS):
        dense = [n for name, n in by_name.items() if name.startswith(f"/bert/encoder/layer.{i}/output/dense/") and n.op_type == "MatMul"]
        assert len(dense) == 1, f"layer {i}: {len(dense)} output dense MatMuls"
        sites.append(dense[0].input[0])
    classifier = [n for n in mp.graph.node if n.name.startswith("/classifier/") and n.op_type in ("Gemm", "MatMul")]
    assert len(classifier) == 1, "no single classifier node"
    return sites, classifier[0].input[0]


def onnx_context_names(mp):
    """The ONNX names of each layer's per-head context softmax(QK^T)V ([batch, heads, sequence, head size])."""
    softmax = {n.output[0] for n in mp.graph.node if n.op_type == "Softmax"}
    names = []
    for i in range(LAYERS):
        ctx = [n for n in mp.graph.node if n.name.startswith(f"/bert/encoder/layer.{i}/attention/self/") and n.op_type == "MatMul" and n.input[0] in softmax]
        assert len(ctx) == 1, f"layer {i}: {len(ctx)} context MatMuls"
        names.append(ctx[0].output[0])
    return names


def reference(model, mp, inputs):
    m64 = model.double().eval()
    layers = m64.bert.encoder.layer
    for layer in layers:
        layer.intermediate.gate = torch.ones(INTERMEDIATE, dtype=torch.float64, requires_grad=True)
        layer.attention.self.head_gate = torch.ones(HEADS, dtype=torch.float64, requires_grad=True)
    logits = m64(*inputs)
    z = m64.pooled
    # A gate on z itself (the pooler's units), multiplied before the classifier: dL/dg = sum over the batch of
    # z * dL/dz, which autograd gives through a second forward with the gate applied.
    pool_gate = torch.ones(HIDDEN, dtype=torch.float64, requires_grad=True)
    z_gated = z * pool_gate
    logits_gated = m64.classifier(z_gated)
    L = UPSTREAM * logits_gated.sum() + UPSTREAM * z_gated.sum()
    head_gates = [l.attention.self.head_gate for l in layers]
    grads = torch.autograd.grad(L, [l.intermediate.gate for l in layers] + [pool_gate] + head_gates)
    head_grads = grads[len(layers) + 1:]
    grads = grads[:len(layers) + 1]
    site_names, z_name = onnx_names(mp)
    sites = [{"tensor": name, "description": f"layer {i} intermediate GELU output, gate on the last axis",
              "channels": INTERMEDIATE, "grad_last": flat(g, 6)["data"]}
             for i, (name, g) in enumerate(zip(site_names, grads[:-1]))]
    sites.append({"tensor": z_name, "description": "pooled output (z), gate on axis 1", "channels": HIDDEN,
                  "grad": flat(grads[-1], 6)["data"]})
    head_sites = [{"tensor": name, "description": f"layer {i} per-head context softmax(QK^T)V, gate on the heads axis 1",
                   "channels": HEADS, "grad": flat(g, 6)["data"]}
                  for i, (name, g) in enumerate(zip(onnx_context_names(mp), head_grads))]
    for l in layers:
        l.intermediate.gate = None
        l.attention.self.head_gate = None
    return {
        "inputs": {name: flat(t, dtype="int64") for name, t in zip(("input_ids", "attention_mask", "token_type_ids"), inputs)},
        "logits": flat(logits, 12),
        "z_tensor": z_name,
        "z": flat(z, 12),
        "upstream_logits": flat(torch.full(logits.shape, UPSTREAM, dtype=torch.float64)),
        "upstream_z": flat(torch.full(z.shape, UPSTREAM, dtype=torch.float64)),
        "sites": sites,
        "head_sites": head_sites,
    }


def export(stem, opset, mask_value, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = BertForSequenceClassification(mask_value).eval()
    randomize(model, gen)
    inputs = reference_inputs(gen)
    with torch.no_grad():
        top = model(*inputs).abs().max()
        model.classifier.weight.mul_(4 / top)  # max |logit| about 4 on the reference batch
        model.classifier.bias.mul_(4 / top)
    path = os.path.join(OUT, f"{stem}.onnx")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, inputs, path, opset_version=opset, do_constant_folding=True,
                          input_names=names, output_names=["logits"],
                          dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "logits": {0: "batch"}})
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    ref = {"model": f"{stem}.onnx", "opset": opset, "producer": f"torch {torch.__version__}",
           "mask_value": "torch.finfo(float32).min" if mask_value == "finfo" else mask_value,
           **reference(model, mp, inputs)}
    with open(os.path.join(OUT, f"{stem}.ref.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")
    ops = sorted({n.op_type for n in mp.graph.node})
    print(f"{stem}: {os.path.getsize(path)} bytes, ops {', '.join(ops)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    export("bert-tiny-op14", 14, -10000.0, seed=14)
    export("bert-tiny-op17", 17, "finfo", seed=17)


if __name__ == "__main__":
    main()
