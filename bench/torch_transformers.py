"""The transformers of the `transformers` section of `npm run bench:scale` (bench/scale/sections/transformers.ts),
built the same way by the export script (bench/torch-transformer-export.py) and the PyTorch step
(bench/torch-transformer-step.py):

  bert-mini  scripts/export-transformers.py's plain-torch BERT (written the way Hugging Face's BERT is), imported
             and sized as the engine's bert-mini (src/core/models/bert-mini.ts: hidden 64, 2 layers, 4 heads,
             intermediate 256, 128 positions, 2 classes; vocabulary 6000) with one segment, as bert-mini has: the
             inputs are input_ids and attention_mask only, and there is no token-type embedding.
  vit        torchvision's VisionTransformer at 32×32: patch 4 (64 patches + class token), 6 layers, hidden 192,
             3 heads, MLP 768 (DeiT-Tiny's width and depth halved), 10 classes.

Random weights, seed 0 (export-transformers.py's initialisation for bert-mini, torchvision's for ViT with its
zero-initialised head redrawn), eval mode. Dev tool only; never a runtime dependency.
"""
import importlib.util
import os

import torch
import torch.nn as nn
from torchvision.models.vision_transformer import VisionTransformer

MODELS = ("bert-mini", "vit")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BERT_MINI = {"VOCAB": 6000, "HIDDEN": 64, "LAYERS": 2, "HEADS": 4, "INTERMEDIATE": 256, "POSITIONS": 128, "CLASSES": 2}
VIT = {"image_size": 32, "patch_size": 4, "num_layers": 6, "num_heads": 3, "hidden_dim": 192, "mlp_dim": 768, "num_classes": 10}
PAD, CLS = 0, 2


def _bert_module():
    """scripts/export-transformers.py as a module, its sizes (module constants its classes read when built) set to
    bert-mini's. A fresh module per call, so the fixture script's own sizes are never changed for anyone else."""
    spec = importlib.util.spec_from_file_location("export_transformers_bert_mini", os.path.join(ROOT, "scripts", "export-transformers.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    for name, value in BERT_MINI.items():
        setattr(m, name, value)

    class OneSegmentEmbeddings(m.Embeddings):
        """Word + position embeddings, as bert-mini.ts writes them (no token types: one segment)."""

        def __init__(self):
            super().__init__()
            del self.token_type_embeddings

        def forward(self, input_ids, token_type_ids=None):
            seq_length = input_ids.size()[1]
            embeddings = self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids[:, :seq_length])
            return self.dropout(self.LayerNorm(embeddings))

    m.Embeddings = OneSegmentEmbeddings

    class BertMini(m.BertForSequenceClassification):
        def forward(self, input_ids, attention_mask):
            return super().forward(input_ids, attention_mask, None)

    return m, BertMini


def build(name):
    """The model with random weights, seed 0, eval mode; for bert-mini also its module (for the head gates)."""
    if name not in MODELS:
        raise ValueError(f"unknown transformer {name} (known: {', '.join(MODELS)})")
    torch.manual_seed(0)
    if name == "vit":
        model = VisionTransformer(**VIT)
        nn.init.normal_(model.heads.head.weight, std=0.02)  # torchvision starts the head at zero: logits would be 0
        return model.eval(), None
    m, BertMini = _bert_module()
    model = BertMini("finfo").eval()
    m.randomize(model, torch.Generator().manual_seed(0))
    return model, m


def bert_inputs(batch, sequence):
    """Seeded random ids (seed 0) in [3, vocabulary), [CLS] first; row b keeps its first sequence − 8·(b mod 4)
    tokens (at least one) and pads the rest (id 0, mask 0), so that every fourth row is unpadded."""
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(3, BERT_MINI["VOCAB"], (batch, sequence), generator=gen, dtype=torch.int64)
    ids[:, 0] = CLS
    mask = torch.ones((batch, sequence), dtype=torch.int64)
    for b in range(batch):
        length = max(1, sequence - 8 * (b % 4))
        ids[b, length:] = PAD
        mask[b, length:] = 0
    return ids, mask


def sine_image(batch):
    """x[i] = sin(i) over the flattened [batch, 3, 32, 32] input, as the engine side feeds (bench/scale/mask-step-timing.ts)."""
    size = VIT["image_size"]
    return torch.sin(torch.arange(batch * 3 * size * size, dtype=torch.float64)).float().view(batch, 3, size, size)
