"""The torchvision families of the `families` section of `npm run bench:scale` (bench/scale/sections/families.ts),
built the same way by the export script (bench/torch-family-export.py) and the PyTorch step
(bench/torch-family-step.py): torchvision's own classes, num_classes=10, random weights (seed 0), eval mode, every
BatchNorm that directly follows a conv folded into it (as torch.onnx's eval-mode export does, and as
bench/torch-scale-step.py does for ResNet-18), so that PyTorch times the graph the ONNX file holds.

BatchNorm statistics and affine parameters are randomised before folding (they start as the identity), so that the
export script's check that folding kept the function is a real check. Dev tool only; never a runtime dependency.
"""
import torch
import torch.nn as nn
import torchvision
from torch.nn.utils.fusion import fuse_conv_bn_eval

FAMILIES = ("resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "densenet121", "convnext_tiny")
CLASSES = 10
INPUT_SIZE = 32


def input_shape(size=INPUT_SIZE):
    """[3, size, size]: 32 for the families section, 224 for the ImageNet-resolution one."""
    return (3, size, size)


def build_unfolded(name):
    """torchvision's model with random weights, seed 0, BatchNorm statistics randomised, eval mode."""
    if name not in FAMILIES:
        raise ValueError(f"unknown family {name} (known: {', '.join(FAMILIES)})")
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(num_classes=CLASSES)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
    return model.eval()


def fold_batchnorms(model):
    """Folds every BatchNorm2d registered right after a Conv2d of its width in the same parent (nn.Sequential's
    conv/bn pairs, ResNet's conv1/bn1, DenseNet's conv1/norm2, …) into that conv; the BatchNorm becomes an
    nn.Identity, so the module names (and the ONNX scopes derived from them) stay. Returns how many it folded."""
    folded = 0
    for parent in list(model.modules()):
        children = list(parent.named_children())
        for (conv_name, conv), (bn_name, bn) in zip(children, children[1:]):
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and bn.num_features == conv.out_channels:
                setattr(parent, conv_name, fuse_conv_bn_eval(conv, bn))
                setattr(parent, bn_name, nn.Identity())
                folded += 1
    return folded


def build_folded(name):
    model = build_unfolded(name)
    fold_batchnorms(model)
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def sine_input(batch, size=INPUT_SIZE):
    """x[i] = sin(i) over the flattened [batch, 3, size, size] input, as the engine side feeds (bench/scale/mask-step-timing.ts)."""
    shape = input_shape(size)
    numel = batch * shape[0] * shape[1] * shape[2]
    return torch.sin(torch.arange(numel, dtype=torch.float64)).float().view(batch, *shape)
