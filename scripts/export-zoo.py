"""Generate the model zoo in test/fixtures/zoo/: one small instance of every torchvision 0.14 classification
family, exported by torch.onnx at opset 13 and 17, plus hand-built ONNX graphs for forms torch 1.13 cannot
write (opset 18/21 ops, tf2onnx's NHWC patterns), each with a float64 PyTorch reference.

What it makes (all under test/fixtures/zoo/):
  <family>-op<N>.onnx      the model (random weights, 10 classes, eval mode, dynamic batch axis)
  <family>-op<N>.ref.json  its float64 reference (format below; the fields of test/fixtures/*.ref.json plus
                           the ONNX tensor name of every gradient)
  README.md                every model, its input, ops, z tensor and size, and every export that failed

The models are torchvision's own classes and blocks at reduced widths/depths (see FAMILIES), so that each file
stays small; input 32x32 where the family allows it, else the smallest input it accepts. BatchNorm statistics
and affine parameters, LayerNorm/GroupNorm affine parameters and ConvNeXt layer scales are randomised (as
scripts/export-fixtures.py does for BatchNorm), and the final Linear is scaled so that max |logit| = 4 on the
reference batch.

Reference (`.ref.json`), on a fixed batch of N = 2 inputs (values on a 1/8 grid, exact in float32):
  input, logits, z (the input of the classifier Gemm/MatMul the engine finds), upstream_logits (R1),
  upstream_z (R2), and `sites`: for EVERY float tensor of the ONNX graph of rank >= 2 that has a
  PyTorch counterpart, in graph order, {tensor, description, channels, grad} where grad = dL/dg for a
  per-channel gate g (all ones) multiplied onto that tensor along axis 1, L = sum(logits*R1) + sum(z*R2);
  for tensors of rank >= 3 also grad_last, the same for a gate along the last axis (channels-last tensors,
  a Linear's [N, tokens, D] outputs).
  The engine's gate sites are looked up by tensor name, so the reference does not depend on which tensors
  the engine gates today.

How the PyTorch counterpart of an ONNX tensor is found: the exported graph is run in onnxruntime with every
intermediate tensor as an output (scripts/onnx-intermediates.mjs, through node: Debian's python has no
onnxruntime); the float64 PyTorch forward is recorded op by op (a TorchFunctionMode, with in-place ops made
out-of-place); an ONNX tensor is paired with the earliest recorded tensor of the same shape and the same
values (|diff| <= 2e-4 (1 + max|value|)). A second float64 forward multiplies a gate onto each paired
tensor, and autograd gives dL/dg. Gating a tensor is the same computation in both frameworks because the
tensor has the same consumers in both.

How to run (dev only; needs Debian's python3-torch, python3-torchvision, python3-onnx, and `npm ci` done):
    /usr/bin/python3 scripts/export-zoo.py [family ...]

Deterministic: rerunning gives byte-identical files. CI never runs this script: the fixtures are committed.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import warnings
from functools import partial

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode
import torchvision
from torchvision.models import (convnext, densenet, efficientnet, inception, maxvit, mnasnet, mobilenetv2,
                                mobilenetv3, regnet, resnet, shufflenetv2, squeezenet, swin_transformer, vgg,
                                vision_transformer)
from torchvision.models.googlenet import GoogLeNet  # (torchvision.models.googlenet is the builder function)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "zoo")
N = 2
CLASSES = 10
OPSETS = (13, 17)


# ------------------------------------------------------------ narrowing
# Families whose widths torchvision hard-codes (SqueezeNet, GoogLeNet, Inception-v3, MNASNet's last layer)
# are narrowed after construction: every Conv2d / BatchNorm2d / Linear is replaced by one with every width
# divided by k (rounded up), except the 3 input channels and the classifier's 10 outputs. The class, its
# blocks and its forward() are torchvision's; concatenated branches stay consistent because every branch
# width they add up is divisible by k (checked by running the model).

def narrow_width(c, k):
    return c if c == 3 else max(1, math.ceil(c / k))


def narrow(model, k):
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                groups = 1 if child.groups == 1 else narrow_width(child.groups, k)
                out = child.out_channels if child.out_channels == CLASSES else narrow_width(child.out_channels, k)
                new = nn.Conv2d(narrow_width(child.in_channels, k), out,
                                child.kernel_size, child.stride, child.padding, child.dilation, groups,
                                child.bias is not None)
            elif isinstance(child, nn.BatchNorm2d):
                new = nn.BatchNorm2d(narrow_width(child.num_features, k), eps=child.eps)
            elif isinstance(child, nn.Linear):
                new = nn.Linear(narrow_width(child.in_features, k), child.out_features if child.out_features == CLASSES
                                else narrow_width(child.out_features, k), child.bias is not None)
            else:
                continue
            setattr(parent, name, new)
    return model


# ------------------------------------------------------------------ models

class SmallResNet(resnet.ResNet):
    """torchvision's ResNet with stage widths of our choosing (its constructor fixes 64/128/256/512)."""

    def __init__(self, block, layers, widths, **kwargs):
        super().__init__(block, layers, num_classes=CLASSES, **kwargs)
        self.inplanes, self.dilation = widths[0], 1
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.fc = nn.Linear(widths[3] * block.expansion, CLASSES)


class SmallAlexNet(torchvision.models.AlexNet):
    """AlexNet's layer sequence (5 convs, 3 max pools, adaptive 6x6 average pool, 3-layer classifier with
    dropout) at small widths, with a 5x5/1 first conv so that a 32x32 input reaches the 6x6 pool (torch 1.13
    exports adaptive pooling only when the output divides the input)."""

    def __init__(self):
        super().__init__(num_classes=CLASSES)
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(16, 24, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(24, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(16, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(16 * 6 * 6, 32), nn.ReLU(inplace=True),
            nn.Dropout(), nn.Linear(32, 32), nn.ReLU(inplace=True), nn.Linear(32, CLASSES),
        )


class SmallVGG(vgg.VGG):
    """VGG-with-BN from a small cfg; two max pools so that 28x28 reaches the 7x7 adaptive pool exactly."""

    def __init__(self):
        super().__init__(vgg.make_layers([8, "M", 16, "M", 16, 16], batch_norm=True), num_classes=CLASSES)
        self.classifier = nn.Sequential(
            nn.Linear(16 * 7 * 7, 32), nn.ReLU(True), nn.Dropout(),
            nn.Linear(32, 32), nn.ReLU(True), nn.Dropout(), nn.Linear(32, CLASSES),
        )


def efficientnet_b0():
    setting, last = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=0.1, depth_mult=0.25)
    return efficientnet.EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.2, num_classes=CLASSES, last_channel=last)


def efficientnet_v2():
    fused, mb = efficientnet.FusedMBConvConfig, efficientnet.MBConvConfig
    setting = [
        fused(1, 3, 1, 8, 8, 2),
        fused(4, 3, 2, 8, 16, 2),
        mb(4, 3, 2, 16, 24, 2, width_mult=1.0, depth_mult=1.0),
        mb(6, 3, 2, 24, 32, 1, width_mult=1.0, depth_mult=1.0),
    ]
    norm = partial(nn.BatchNorm2d, eps=1e-03)
    return efficientnet.EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.2, num_classes=CLASSES,
                                     norm_layer=norm, last_channel=64)


def mobilenet_v2():
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 1, 2], [6, 96, 1, 1], [6, 160, 2, 2], [6, 320, 1, 1]]
    m = mobilenetv2.MobileNetV2(num_classes=CLASSES, width_mult=0.1, inverted_residual_setting=setting)
    # Its last 1x1 conv is fixed at 1280 channels; narrowed like the classifier input it feeds.
    last = m.features[-1][0]
    m.features[-1] = mobilenetv2.Conv2dNormActivation(last.in_channels, 64, kernel_size=1, activation_layer=nn.ReLU6)
    m.classifier[1] = nn.Linear(64, CLASSES)
    return m


def mobilenet_v3():
    setting, last = mobilenetv3._mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25, reduced_tail=True)
    return mobilenetv3.MobileNetV3(setting, last, num_classes=CLASSES)


def mnasnet_small():
    m = mnasnet.MNASNet(0.1, num_classes=CLASSES)
    # Its final 1x1 conv is fixed at 1280 channels: narrowed 16x, with the classifier it feeds.
    m.layers[14] = nn.Conv2d(m.layers[14].in_channels, 80, 1, bias=False)
    m.layers[15] = nn.BatchNorm2d(80, momentum=m.layers[15].momentum)
    m.classifier[1] = nn.Linear(80, CLASSES)
    return narrow(m, 2)  # alpha's widths stop at 8; its expansion-6 blocks are halved again


def regnet_model(se_ratio):
    params = regnet.BlockParams(depths=[1, 2, 1, 1], widths=[8, 16, 24, 32], group_widths=[8, 8, 8, 8],
                                bottleneck_multipliers=[1.0] * 4, strides=[2] * 4, se_ratio=se_ratio)
    return regnet.RegNet(params, num_classes=CLASSES, stem_width=8,
                         norm_layer=partial(nn.BatchNorm2d, eps=1e-05, momentum=0.1))


def squeezenet_small(version):
    return narrow(squeezenet.SqueezeNet(version, num_classes=CLASSES), 16)


def googlenet_small():
    m = GoogLeNet(num_classes=CLASSES, aux_logits=False, transform_input=False, init_weights=True)
    return narrow(m, 16)


def inception_v3_small():
    m = inception.Inception3(num_classes=CLASSES, aux_logits=False, transform_input=False, init_weights=True)
    narrow(m, 32)
    # The stem (no concatenations) keeps 1/8 of its widths: at 1/32 its 1-channel layers starve the gradient.
    widths = [("Conv2d_1a_3x3", 3, 4), ("Conv2d_2a_3x3", 4, 4), ("Conv2d_2b_3x3", 4, 8), ("Conv2d_3b_1x1", 8, 10),
              ("Conv2d_4a_3x3", 10, 6)]
    for name, cin, cout in widths:
        block, conv = getattr(m, name), getattr(m, name).conv
        block.conv = nn.Conv2d(cin, cout, conv.kernel_size, conv.stride, conv.padding, bias=False)
        block.bn = nn.BatchNorm2d(cout, eps=block.bn.eps)
    return m


def densenet_small():
    return densenet.DenseNet(growth_rate=4, block_config=(2, 2, 2, 2), num_init_features=8, bn_size=2, num_classes=CLASSES)


def convnext_small():
    cfg = convnext.CNBlockConfig
    setting = [cfg(8, 16, 1), cfg(16, 24, 1), cfg(24, 32, 1), cfg(32, None, 1)]
    return convnext.ConvNeXt(setting, stochastic_depth_prob=0.1, num_classes=CLASSES)


def vit_small():
    return vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                                hidden_dim=16, mlp_dim=32, num_classes=CLASSES)


def swin_small(v2):
    extra = dict(block=swin_transformer.SwinTransformerBlockV2, downsample_layer=swin_transformer.PatchMergingV2) if v2 else {}
    return swin_transformer.SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2, 2], num_heads=[2, 4],
                                            window_size=[4, 4], stochastic_depth_prob=0.1, num_classes=CLASSES, **extra)


def maxvit_small():
    return maxvit.MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2, block_channels=[8, 16],
                         block_layers=[1, 1], head_dim=4, stochastic_depth_prob=0.1, num_classes=CLASSES)


# name -> (builder, (C, H, W), what it is)
FAMILIES = {
    "alexnet": (SmallAlexNet, (3, 32, 32), "AlexNet subclass: convs 8/16/24/16/16 (first 5x5/1), 6x6 adaptive pool, classifier 576-32-32-10"),
    "convnext": (convnext_small, (3, 32, 32), "ConvNeXt, CNBlockConfig 8/16/24/32 x 1 block"),
    "densenet": (densenet_small, (3, 32, 32), "DenseNet(growth_rate=4, block_config=(2,2,2,2), num_init_features=8, bn_size=2)"),
    "efficientnet-b0": (efficientnet_b0, (3, 32, 32), "EfficientNet-B0 config, width_mult 0.1, depth_mult 0.25"),
    "efficientnet-v2": (efficientnet_v2, (3, 32, 32), "EfficientNetV2: 2 FusedMBConv + 2 MBConv stages (8/16/24/32), last_channel 64"),
    "googlenet": (googlenet_small, (3, 32, 32), "GoogLeNet (aux off), every width / 16"),
    "inception-v3": (inception_v3_small, (3, 75, 75), "Inception3 (aux off), every width / 32 (stem / 8), its minimum input 75x75"),
    "maxvit": (maxvit_small, (3, 32, 32), "MaxVit(stem 8, partition 2, blocks 8/16 x 1, head_dim 4)"),
    "mnasnet": (mnasnet_small, (3, 32, 32), "MNASNet(alpha=0.1) with every width / 2 (alpha stops at 8), final 1x1 conv 1280/32"),
    "mobilenet-v2": (mobilenet_v2, (3, 32, 32), "MobileNetV2(width_mult=0.1), repeats 1-2, last conv 64"),
    "mobilenet-v3": (mobilenet_v3, (3, 32, 32), "MobileNetV3-Small config, width_mult 0.25, reduced tail"),
    "regnet-x": (partial(regnet_model, None), (3, 32, 32), "RegNet-X: BlockParams depths 1/2/1/1, widths 8/16/24/32, group width 8"),
    "regnet-y": (partial(regnet_model, 0.25), (3, 32, 32), "RegNet-Y: as RegNet-X with squeeze-excitation 0.25"),
    "resnet": (partial(SmallResNet, resnet.BasicBlock, [1, 1, 1, 1], [8, 16, 24, 32]), (3, 32, 32), "ResNet, BasicBlock (ResNet-18/34 family), widths 8/16/24/32, 1 block per stage"),
    "resnet-bottleneck": (partial(SmallResNet, resnet.Bottleneck, [1, 2, 1, 1], [4, 8, 12, 16]), (3, 32, 32), "ResNet, Bottleneck (ResNet-50/101/152 family), widths 4/8/12/16 (x4 out)"),
    "resnext": (partial(SmallResNet, resnet.Bottleneck, [1, 1, 1, 1], [8, 8, 12, 16], groups=4, width_per_group=16), (3, 32, 32), "ResNeXt: Bottleneck, groups 4, width_per_group 16"),
    "shufflenet-v2": (lambda: shufflenetv2.ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 64], num_classes=CLASSES), (3, 32, 32), "ShuffleNetV2(stages_repeats=[2,2,2], stages_out_channels=[8,16,32,64,64])"),
    "squeezenet-1-0": (partial(squeezenet_small, "1_0"), (3, 32, 32), "SqueezeNet 1.0, every width / 16"),
    "squeezenet-1-1": (partial(squeezenet_small, "1_1"), (3, 32, 32), "SqueezeNet 1.1, every width / 16"),
    "swin": (partial(swin_small, False), (3, 32, 32), "SwinTransformer(patch 4, embed 8, depths [2,2], heads [2,4], window 4)"),
    "swin-v2": (partial(swin_small, True), (3, 32, 32), "Swin V2 (SwinTransformerBlockV2, PatchMergingV2), same sizes as swin"),
    "vgg-bn": (SmallVGG, (3, 28, 28), "VGG with BN, cfg [8,M,16,M,16,16], classifier 784-32-32-10; 28x28 so that the 7x7 adaptive pool divides"),
    "vit": (vit_small, (3, 32, 32), "VisionTransformer(image_size=32, patch_size=8, 2 layers, 2 heads, hidden 16, mlp 32)"),
    "wide-resnet": (partial(SmallResNet, resnet.Bottleneck, [1, 1, 1, 1], [4, 8, 12, 16], width_per_group=128), (3, 32, 32), "Wide ResNet: Bottleneck, width_per_group 128 (2x inner width)"),
}


# -------------------------------------------------------------- hand-built
# Forms torch 1.13 cannot write. Each is a PyTorch module (the reference) plus the ONNX graph written from its
# weights with onnx.helper.

def init(name, t):
    return numpy_helper.from_array(t.detach().numpy().astype(np.float32), name)


def conv_node(x, y, conv, name, nodes, inits, **attrs):
    inits += [init(f"{name}.w", conv.weight), init(f"{name}.b", conv.bias)]
    k = list(conv.kernel_size)
    p = list(conv.padding)
    nodes.append(helper.make_node("Conv", [x, f"{name}.w", f"{name}.b"], [y], name=name, kernel_shape=k,
                                  pads=p + p, strides=list(conv.stride), **attrs))


def gemm_node(x, y, lin, name, nodes, inits):
    inits += [init(f"{name}.w", lin.weight), init(f"{name}.b", lin.bias)]
    nodes.append(helper.make_node("Gemm", [x, f"{name}.w", f"{name}.b"], [y], name=name, transB=1))


class ConvStem(nn.Module):
    """Two 3x3 convs (3->8->16) with ReLU: the common body of the hand-built models."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1, stride=2)
        self.fc = nn.Linear(16, CLASSES)


class ReduceMeanNet(ConvStem):
    def forward(self, x):
        h = F.relu(self.c2(F.relu(self.c1(x))))
        return self.fc(h.mean(dim=(2, 3)))


def reducemean_onnx(m):
    nodes, inits = [], []
    conv_node("input", "c1", m.c1, "conv1", nodes, inits)
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1"))
    conv_node("r1", "c2", m.c2, "conv2", nodes, inits)
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    inits.append(numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes"))
    nodes.append(helper.make_node("ReduceMean", ["r2", "axes"], ["pooled"], name="mean", keepdims=0))
    gemm_node("pooled", "logits", m.fc, "fc", nodes, inits)
    return nodes, inits


class GroupNormNet(ConvStem):
    """conv -> GroupNorm(4 groups) -> relu -> conv -> relu -> global pool -> fc."""

    def __init__(self, per_group_affine):
        super().__init__()
        self.gn = nn.GroupNorm(4, 8)
        self.per_group_affine = per_group_affine
        with torch.no_grad():
            if per_group_affine:  # GroupNormalization-18: scale and bias are per group, shared by its channels
                self.gn.weight.copy_(torch.rand(4).repeat_interleave(2) + 0.5)
                self.gn.bias.copy_((torch.randn(4) * 0.1).repeat_interleave(2))
            else:
                self.gn.weight.copy_(torch.rand(8) + 0.5)
                self.gn.bias.copy_(torch.randn(8) * 0.1)

    def forward(self, x):
        h = F.relu(self.c2(F.relu(self.gn(self.c1(x)))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


def groupnorm_onnx(m):
    nodes, inits = [], []
    conv_node("input", "c1", m.c1, "conv1", nodes, inits)
    scale, bias = m.gn.weight, m.gn.bias
    if m.per_group_affine:
        scale, bias = scale[::2], bias[::2]
    inits += [init("gn.scale", scale), init("gn.bias", bias)]
    nodes.append(helper.make_node("GroupNormalization", ["c1", "gn.scale", "gn.bias"], ["n1"], name="groupnorm",
                                  num_groups=4, epsilon=m.gn.eps))
    nodes.append(helper.make_node("Relu", ["n1"], ["r1"], name="relu1"))
    conv_node("r1", "c2", m.c2, "conv2", nodes, inits)
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    nodes.append(helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1))
    gemm_node("flat", "logits", m.fc, "fc", nodes, inits)
    return nodes, inits


class LayerNormNet(ConvStem):
    """conv -> relu -> NHWC LayerNorm over channels (ConvNeXt's LayerNorm2d) -> conv -> relu -> mean -> fc."""

    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(8)

    def forward(self, x):
        h = F.relu(self.c1(x))
        h = self.ln(h.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        h = F.relu(self.c2(h))
        return self.fc(h.mean(dim=(2, 3)))


def layernorm_onnx(m):
    nodes, inits = [], []
    conv_node("input", "c1", m.c1, "conv1", nodes, inits)
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1"))
    nodes.append(helper.make_node("Transpose", ["r1"], ["r1_nhwc"], name="to_nhwc", perm=[0, 2, 3, 1]))
    inits += [init("ln.scale", m.ln.weight), init("ln.bias", m.ln.bias)]
    nodes.append(helper.make_node("LayerNormalization", ["r1_nhwc", "ln.scale", "ln.bias"], ["n_nhwc"], name="layernorm",
                                  axis=-1, epsilon=m.ln.eps))
    nodes.append(helper.make_node("Transpose", ["n_nhwc"], ["n1"], name="to_nchw", perm=[0, 3, 1, 2]))
    conv_node("n1", "c2", m.c2, "conv2", nodes, inits)
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    inits.append(numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes"))
    nodes.append(helper.make_node("ReduceMean", ["r2", "axes"], ["pooled"], name="mean", keepdims=0))
    gemm_node("pooled", "logits", m.fc, "fc", nodes, inits)
    return nodes, inits


class KerasCnn(nn.Module):
    """What a Keras Sequential CNN computes: NHWC input, conv/relu/maxpool twice, Flatten in NHWC order,
    Dense(32, relu), Dense(10)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)
        self.d1 = nn.Linear(8 * 8 * 8, 32)
        self.d2 = nn.Linear(32, CLASSES)

    def forward(self, x):
        h = x.permute(0, 3, 1, 2)
        h = F.max_pool2d(F.relu(self.c1(h)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = torch.flatten(h.permute(0, 2, 3, 1), 1)
        return self.d2(F.relu(self.d1(h)))


class KerasCnnChannelsLast(KerasCnn):
    """The same network computed as TensorFlow does: channels last, the conv bias added after the conv."""

    def forward(self, x):
        h = x
        for conv in (self.c1, self.c2):
            h = F.conv2d(h.permute(0, 3, 1, 2), conv.weight, padding=1).permute(0, 2, 3, 1)
            h = F.relu(h + conv.bias)
            h = F.max_pool2d(h.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)
        return self.d2(F.relu(self.d1(torch.flatten(h, 1))))


def dense_nodes(x, y, lin, name, nodes, inits):
    """tf2onnx writes a Keras Dense as MatMul (weight [in, out]) + Add."""
    inits += [numpy_helper.from_array(lin.weight.detach().numpy().T.astype(np.float32).copy(), f"{name}/kernel"),
              init(f"{name}/bias", lin.bias)]
    nodes.append(helper.make_node("MatMul", [x, f"{name}/kernel"], [f"{name}/MatMul:0"], name=f"{name}/MatMul"))
    nodes.append(helper.make_node("Add", [f"{name}/MatMul:0", f"{name}/bias"], [y], name=f"{name}/BiasAdd"))


def tf2onnx_optimised_onnx(m):
    """tf2onnx after its transpose optimiser: one Transpose at the input, NCHW convs, and a Transpose back to
    NHWC before the Flatten (Reshape) so the Dense weights keep Keras' NHWC order."""
    nodes, inits = [], []
    nodes.append(helper.make_node("Transpose", ["input"], ["sequential/conv2d/Conv2D__6:0"], name="sequential/conv2d/Conv2D__6", perm=[0, 3, 1, 2]))
    conv_node("sequential/conv2d/Conv2D__6:0", "sequential/conv2d/BiasAdd:0", m.c1, "sequential/conv2d/Conv2D", nodes, inits)
    nodes.append(helper.make_node("Relu", ["sequential/conv2d/BiasAdd:0"], ["sequential/conv2d/Relu:0"], name="sequential/conv2d/Relu"))
    nodes.append(helper.make_node("MaxPool", ["sequential/conv2d/Relu:0"], ["sequential/max_pooling2d/MaxPool:0"], name="sequential/max_pooling2d/MaxPool", kernel_shape=[2, 2], strides=[2, 2]))
    conv_node("sequential/max_pooling2d/MaxPool:0", "sequential/conv2d_1/BiasAdd:0", m.c2, "sequential/conv2d_1/Conv2D", nodes, inits)
    nodes.append(helper.make_node("Relu", ["sequential/conv2d_1/BiasAdd:0"], ["sequential/conv2d_1/Relu:0"], name="sequential/conv2d_1/Relu"))
    nodes.append(helper.make_node("MaxPool", ["sequential/conv2d_1/Relu:0"], ["sequential/max_pooling2d_1/MaxPool:0"], name="sequential/max_pooling2d_1/MaxPool", kernel_shape=[2, 2], strides=[2, 2]))
    nodes.append(helper.make_node("Transpose", ["sequential/max_pooling2d_1/MaxPool:0"], ["sequential/max_pooling2d_1/MaxPool__20:0"], name="sequential/max_pooling2d_1/MaxPool__20", perm=[0, 2, 3, 1]))
    inits.append(numpy_helper.from_array(np.array([-1, 8 * 8 * 8], dtype=np.int64), "const_fold_opt__30"))
    nodes.append(helper.make_node("Reshape", ["sequential/max_pooling2d_1/MaxPool__20:0", "const_fold_opt__30"], ["sequential/flatten/Reshape:0"], name="sequential/flatten/Reshape"))
    dense_nodes("sequential/flatten/Reshape:0", "sequential/dense/BiasAdd:0", m.d1, "sequential/dense", nodes, inits)
    nodes.append(helper.make_node("Relu", ["sequential/dense/BiasAdd:0"], ["sequential/dense/Relu:0"], name="sequential/dense/Relu"))
    dense_nodes("sequential/dense/Relu:0", "logits", m.d2, "sequential/dense_1", nodes, inits)
    return nodes, inits


def tf2onnx_wrapped_onnx(m):
    """tf2onnx without its transpose optimiser: every Conv wrapped in NHWC->NCHW / NCHW->NHWC Transposes, the
    bias, ReLU and MaxPool... in NHWC (MaxPool also wrapped), so activations have their channels last."""
    nodes, inits = [], []

    def wrapped(x, y, op, name, **attrs):
        nodes.append(helper.make_node("Transpose", [x], [f"{name}__in:0"], name=f"{name}__in", perm=[0, 3, 1, 2]))
        nodes.append(helper.make_node(op, [f"{name}__in:0"] + attrs.pop("extra", []), [f"{name}__nchw:0"], name=name, **attrs))
        nodes.append(helper.make_node("Transpose", [f"{name}__nchw:0"], [y], name=f"{name}__out", perm=[0, 2, 3, 1]))

    for i, (conv, prefix) in enumerate([(m.c1, "sequential/conv2d"), (m.c2, "sequential/conv2d_1")]):
        x = "input" if i == 0 else "sequential/max_pooling2d/MaxPool:0"
        inits.append(init(f"{prefix}/kernel", conv.weight))
        wrapped(x, f"{prefix}/Conv2D_nhwc:0", "Conv", f"{prefix}/Conv2D", extra=[f"{prefix}/kernel"],
                kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        inits.append(init(f"{prefix}/bias", conv.bias))  # [C]: broadcasts over the last (channel) axis
        nodes.append(helper.make_node("Add", [f"{prefix}/Conv2D_nhwc:0", f"{prefix}/bias"], [f"{prefix}/BiasAdd:0"], name=f"{prefix}/BiasAdd"))
        nodes.append(helper.make_node("Relu", [f"{prefix}/BiasAdd:0"], [f"{prefix}/Relu:0"], name=f"{prefix}/Relu"))
        pool = "sequential/max_pooling2d" + ("" if i == 0 else "_1")
        wrapped(f"{prefix}/Relu:0", f"{pool}/MaxPool:0", "MaxPool", f"{pool}/MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    inits.append(numpy_helper.from_array(np.array([-1, 8 * 8 * 8], dtype=np.int64), "sequential/flatten/Const:0"))
    nodes.append(helper.make_node("Reshape", ["sequential/max_pooling2d_1/MaxPool:0", "sequential/flatten/Const:0"], ["sequential/flatten/Reshape:0"], name="sequential/flatten/Reshape"))
    dense_nodes("sequential/flatten/Reshape:0", "sequential/dense/BiasAdd:0", m.d1, "sequential/dense", nodes, inits)
    nodes.append(helper.make_node("Relu", ["sequential/dense/BiasAdd:0"], ["sequential/dense/Relu:0"], name="sequential/dense/Relu"))
    dense_nodes("sequential/dense/Relu:0", "logits", m.d2, "sequential/dense_1", nodes, inits)
    return nodes, inits


NCHW, NHWC = (3, 32, 32), (32, 32, 3)

# name -> (module builder, graph builder, opset, producer, input shape without the batch, what it is)
HAND_BUILT = {
    "reducemean-op18": (ReduceMeanNet, reducemean_onnx, 18, "onnx.helper", NCHW, "conv/relu x2, ReduceMean-18 with axes as an input, Gemm"),
    "groupnorm-op18": (partial(GroupNormNet, True), groupnorm_onnx, 18, "onnx.helper", NCHW, "conv, GroupNormalization-18 (per-group scale/bias), relu, conv, relu, GlobalAveragePool, Gemm"),
    "groupnorm-op21": (partial(GroupNormNet, False), groupnorm_onnx, 21, "onnx.helper", NCHW, "conv, GroupNormalization-21 (per-channel scale/bias), relu, conv, relu, GlobalAveragePool, Gemm"),
    "layernorm-op21": (LayerNormNet, layernorm_onnx, 21, "onnx.helper", NCHW, "conv, relu, Transpose-LayerNormalization(axis -1)-Transpose (ConvNeXt's LayerNorm2d), conv, relu, ReduceMean-18, Gemm"),
    "tf2onnx-nhwc-op13": (KerasCnn, tf2onnx_optimised_onnx, 13, "tf2onnx", NHWC, "Keras CNN as tf2onnx writes it after its transpose optimiser: NHWC input, one Transpose in, NCHW conv/relu/maxpool x2, Transpose to NHWC, Reshape, Dense = MatMul+Add"),
    "tf2onnx-wrapped-op13": (KerasCnnChannelsLast, tf2onnx_wrapped_onnx, 13, "tf2onnx", NHWC, "the same Keras CNN without the optimiser: every Conv and MaxPool wrapped in Transposes, bias Add and Relu on NHWC tensors"),
}


# ------------------------------------------------------------- helpers

def randomize(model, gen):
    """Random normalisation statistics/affines and layer scales, so that none of them is an identity."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                c = mod.num_features
                mod.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                mod.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(c, generator=gen) * 0.1)
            elif isinstance(mod, nn.LayerNorm) and mod.elementwise_affine:  # GroupNormNet sets its GroupNorm's own
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen) * 0.1)
            if isinstance(mod, convnext.CNBlock):
                mod.layer_scale.copy_(torch.rand(mod.layer_scale.shape, generator=gen) * 0.5 + 0.25)


def final_layer(model):
    """The layer whose output is the logits: the last Linear, or SqueezeNet's final 1x1 conv."""
    if isinstance(model, squeezenet.SqueezeNet):
        return model.classifier[1]
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def rescale_final(model, x, target=4.0):
    layer = final_layer(model)
    with torch.no_grad():
        if layer.weight.abs().max() == 0:  # VisionTransformer starts its head at zero
            nn.init.normal_(layer.weight, std=0.02)
        s = target / max(model(x).abs().max().item(), 1e-12)
        layer.weight.mul_(s)
        if layer.bias is not None:
            layer.bias.mul_(s)
        got = model(x).abs().max().item()
    assert abs(got - target) < 1e-3 * target, f"rescaling the final layer gave max|logit| {got}"


def flat(t, digits=None):
    vals = t.detach().reshape(-1).tolist() if isinstance(t, torch.Tensor) else list(np.asarray(t).reshape(-1))
    if digits:
        vals = [float(f"{v:.{digits}g}") for v in vals]
    return {"dims": list(t.shape), "data": [float(v) for v in vals]}


def grid_input(shape, gen):
    """N(0,1) rounded to a 1/8 grid: exact in float32 and short in JSON."""
    return (torch.randn(shape, generator=gen, dtype=torch.float64) * 8).round() / 8


# ------------------------------------------- PyTorch tensors, op by op

INPLACE_DUNDER = {"__iadd__": "__add__", "__isub__": "__sub__", "__imul__": "__mul__", "__itruediv__": "__truediv__"}


def out_of_place(func, args, kwargs):
    """The out-of-place version of an in-place call on a tensor that autograd tracks (same values)."""
    if "inplace" in kwargs:
        kwargs = {**kwargs, "inplace": False}
    name = getattr(func, "__name__", "")
    if args and isinstance(args[0], torch.Tensor) and args[0].requires_grad:
        if name in INPLACE_DUNDER:
            return getattr(torch.Tensor, INPLACE_DUNDER[name]), kwargs
        if name.endswith("_") and not name.startswith("_") and hasattr(torch.Tensor, name[:-1]):
            return getattr(torch.Tensor, name[:-1]), kwargs
    return func, kwargs


# Python-level functionals that reach the mode as one call although they are made of many torch ops.
DECOMPOSED = {F.multi_head_attention_forward}


class Recorder(TorchFunctionMode):
    """Numbers every tensor a torch function returns (tensors in a returned tuple/list count one by one).
    `gates` maps such a number to a gate vector multiplied onto that tensor along axis 1 (along its last axis
    with `last_axis`); `keep` lists numbers whose (gated) tensor is kept in `kept`."""

    def __init__(self, gates=None, keep=(), last_axis=False):
        super().__init__()
        self.count = 0
        self.values = []  # (index, detached float64 numpy value) of tracked float tensors
        self.gates = gates or {}
        self.keep = set(keep)
        self.kept = {}
        self.last_axis = last_axis

    def _one(self, t):
        if not (isinstance(t, torch.Tensor) and t.is_floating_point() and t.requires_grad):
            return t
        k = self.count
        self.count += 1
        if k in self.gates:
            g = self.gates[k]
            t = t * (g if self.last_axis else g.view(1, -1, *([1] * (t.dim() - 2))))
        if k in self.keep:
            self.kept[k] = t
        if not self.gates:
            self.values.append((k, t.detach().numpy().copy()))
        return t

    def __torch_function__(self, func, types, args=(), kwargs=None):
        func, kwargs = out_of_place(func, args, kwargs or {})
        if func in DECOMPOSED:
            # Record inside it too: the exporter writes its parts (projections, softmax...) as separate nodes.
            saved = F.has_torch_function
            F.has_torch_function = lambda *a: False
            try:
                with self:
                    out = func(*args, **kwargs)
            finally:
                F.has_torch_function = saved
            return out
        out = func(*args, **kwargs)
        if type(out) in (tuple, list):
            return type(out)(self._one(t) for t in out)
        return self._one(out)


def inplace_off(model):
    for mod in model.modules():
        if hasattr(mod, "inplace"):
            mod.inplace = False


# ------------------------------------------------------- ONNX tensors

def float_tensors(mp):
    """Every node output holding floats, by ONNX shape inference (or, where it knows nothing, by producer)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(mp)
        types = {v.name: v.type.tensor_type.elem_type for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    except Exception:  # opset 18+ is newer than this onnx: every hand-built tensor is float
        types = {}
    non_float_ops = {"Shape", "Size", "NonZero", "ArgMax", "ArgMin", "Equal", "Less", "Greater", "Not", "And", "Or"}
    out = []
    for n in mp.graph.node:
        if n.op_type == "Constant":
            continue
        for o in n.output:
            if not o:
                continue
            t = types.get(o)
            if t == TensorProto.FLOAT or (t is None and n.op_type not in non_float_ops):
                out.append((o, n))
    return out


def onnx_values(mp, x32):
    """Runs `mp` in onnxruntime (through node) with every float node output as a graph output."""
    tensors = float_tensors(mp)
    m2 = onnx.ModelProto()
    m2.CopyFrom(mp)
    existing = {o.name for o in m2.graph.output}
    for name, _ in tensors:
        if name not in existing:
            m2.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "model.onnx")
        onnx.save(m2, model_path)
        np.asarray(x32, dtype="<f4").tofile(os.path.join(tmp, "input.f32"))
        subprocess.run(["node", os.path.join(ROOT, "scripts", "onnx-intermediates.mjs"), model_path,
                        os.path.join(tmp, "input.f32"), ",".join(map(str, x32.shape)), tmp], check=True, cwd=ROOT)
        with open(os.path.join(tmp, "index.json")) as f:
            index = json.load(f)
        data = np.fromfile(os.path.join(tmp, "values.f32"), dtype="<f4")
    values = {}
    for e in index:
        size = int(np.prod(e["dims"])) if e["dims"] else 1
        values[e["name"]] = data[e["offset"]:e["offset"] + size].reshape(e["dims"]).astype(np.float64)
    return values, [(name, node) for name, node in tensors if name in values]


def pair_tensors(onnx_vals, tensors, recorded):
    """ONNX tensor name -> index of the earliest recorded PyTorch tensor with the same shape and values."""
    by_shape = {}
    for k, v in recorded:
        by_shape.setdefault(v.shape, []).append((k, v))
    pairs = {}
    for name, _ in tensors:
        a = onnx_vals[name]
        tol = 2e-4 * (1 + np.abs(a).max(initial=0))
        for k, v in by_shape.get(a.shape, []):
            if np.abs(a - v).max(initial=0) <= tol:
                pairs[name] = k
                break
    return pairs


def find_bottleneck(mp):
    """The engine's rule (src/core/units/discover.ts findClassifier): walk back from the logits through
    shape-only ops and constant bias Adds to the last Gemm/MatMul with a constant weight; z is its input.
    Returns (z tensor, True) or, with no such layer, (the input of the last Conv on that walk, False)."""
    producer = {o: n for n in mp.graph.node for o in n.output}
    consts = {i.name for i in mp.graph.initializer} | {n.output[0] for n in mp.graph.node if n.op_type == "Constant"}
    t = mp.graph.output[0].name
    for _ in range(16):
        n = producer.get(t)
        if n is None:
            break
        if n.op_type in ("Gemm", "MatMul") and n.input[1] in consts:
            return n.input[0], True
        if n.op_type == "Add" and n.input[1] in consts:
            t = n.input[0]
        elif n.op_type in ("Identity", "Softmax", "LogSoftmax", "Flatten", "Reshape", "Dropout", "Sigmoid"):
            t = n.input[0]
        else:
            break
    t = mp.graph.output[0].name
    for _ in range(16):
        n = producer[t]
        if n.op_type == "Conv":
            return n.input[0], False
        t = n.input[0]
    raise RuntimeError("no classifier layer and no final conv found")


# -------------------------------------------------------- reference

def reference(name, model64, mp, x64, gen):
    """float64 logits, z and the gate gradients of every ONNX tensor that has a PyTorch counterpart."""
    inplace_off(model64)
    x32 = x64.to(torch.float32).numpy()
    onnx_vals, tensors = onnx_values(mp, x32)
    with torch.no_grad():
        plain = model64(x64)
    rec = Recorder()
    with rec:
        logits0 = model64(x64)
    assert torch.allclose(plain, logits0, rtol=0, atol=1e-12), "recorded forward != module forward"
    pairs = pair_tensors(onnx_vals, tensors, rec.values)
    logits_name = mp.graph.output[0].name
    onnx_logits = onnx_vals[logits_name]
    diff = np.abs(onnx_logits - logits0.detach().numpy()).max()
    assert diff <= 1e-4, f"{name}: onnxruntime logits differ from PyTorch float64 by {diff}"
    z_name, has_classifier = find_bottleneck(mp)
    assert z_name in pairs, f"{name}: the bottleneck '{z_name}' has no PyTorch counterpart"

    # One gate per recorded tensor that some ONNX tensor of rank >= 2 is paired with (axis 1 is not always a
    # channel axis: attention's 2-D [tokens*N, D] projections are gated on D).
    shape = {n: onnx_vals[n].shape for n, _ in tensors}
    gated = sorted({k for n, k in pairs.items() if len(shape[n]) >= 2})
    channels = {k: shape[n][1] for n, k in pairs.items() if k in gated}
    gates = {k: torch.ones(channels[k], dtype=torch.float64, requires_grad=True) for k in gated}
    rec2 = Recorder(gates=gates, keep=[pairs[z_name]])
    with rec2:
        logits = model64(x64)
    z = rec2.kept[pairs[z_name]]
    assert torch.allclose(plain, logits, rtol=0, atol=1e-12), "gated forward (gates = 1) != module forward"
    R1 = torch.randn(logits.shape, generator=gen, dtype=torch.float64)
    R2 = torch.randn(z.shape, generator=gen, dtype=torch.float64)
    L = (logits * R1).sum() + (z * R2).sum()
    grads = dict(zip(gated, torch.autograd.grad(L, [gates[k] for k in gated], allow_unused=True)))
    # The same for a gate on the last axis of every tensor of rank >= 3 (channels-last activations, a Linear's
    # [N, tokens, D] output), where the engine gates them.
    last = sorted({k for n, k in pairs.items() if len(shape[n]) >= 3})
    last_channels = {k: shape[n][-1] for n, k in pairs.items() if k in last}
    gates_last = {k: torch.ones(last_channels[k], dtype=torch.float64, requires_grad=True) for k in last}
    rec3 = Recorder(gates=gates_last, keep=[pairs[z_name]], last_axis=True)
    with rec3:
        logits_last = model64(x64)
    L_last = (logits_last * R1).sum() + (rec3.kept[pairs[z_name]] * R2).sum()
    grads_last = dict(zip(last, torch.autograd.grad(L_last, [gates_last[k] for k in last], allow_unused=True))) if last else {}

    sites = []
    for tname, node in tensors:
        k = pairs.get(tname)
        if k not in gates:
            continue
        g = grads[k] if grads[k] is not None else torch.zeros(channels[k], dtype=torch.float64)
        site = {"tensor": tname, "description": f"{node.op_type} {node.name}", "channels": channels[k],
                "grad": flat(g, 6)["data"]}
        if k in gates_last:
            gl = grads_last[k] if grads_last[k] is not None else torch.zeros(last_channels[k], dtype=torch.float64)
            site["grad_last"] = flat(gl, 6)["data"]
        sites.append(site)
    ref = {
        "input": flat(x64),
        "logits": flat(logits, 12),
        "z_tensor": z_name,
        "classifier_found": has_classifier,
        "z": flat(z, 12),
        "upstream_logits": flat(R1, 12),
        "upstream_z": flat(R2, 12),
        "sites": sites,
    }
    unpaired = [n for n, _ in tensors if n not in pairs]
    return ref, {"diff": float(diff), "paired": len(pairs), "tensors": len(tensors), "unpaired": unpaired}


def graph_summary(mp):
    ops = {}
    for n in mp.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    params = sum(int(np.prod(i.dims)) for i in mp.graph.initializer)
    return ops, params


def write_ref(stem, ref):
    path = os.path.join(OUT, f"{stem}.ref.json")
    with open(path, "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


def export_family(name, builder, in_shape, seed, opset):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = builder()
    model.eval()
    x64 = grid_input((N, *in_shape), gen)
    with torch.no_grad():
        model(x64.float())  # a narrowed model whose concatenated widths disagree fails here, before export
    randomize(model, gen)
    rescale_final(model, x64.float())
    stem = f"{name}-op{opset}"
    path = os.path.join(OUT, f"{stem}.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x64.float(), path, opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    m64 = model.double().eval()
    ref, info = reference(stem, m64, mp, x64, gen)
    ref = {"model": f"{stem}.onnx", "family": name, "opset": opset, "producer": f"torch {torch.__version__}",
           "torch_version": torch.__version__, "torchvision_version": torchvision.__version__, **ref}
    write_ref(stem, ref)
    return stem, mp, ref, info


def export_hand_built(name, module_builder, graph_builder, opset, producer, in_shape, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = module_builder().eval()
    x64 = grid_input((N, *in_shape), gen)
    randomize(model, gen)
    rescale_final(model, x64.float())
    nodes, inits = graph_builder(model)
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *in_shape])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", CLASSES])
    graph = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    mp = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", opset)])
    mp.ir_version = 8 if opset <= 18 else 10
    path = os.path.join(OUT, f"{name}.onnx")
    onnx.save(mp, path)
    ref, info = reference(name, model.double().eval(), mp, x64, gen)
    ref = {"model": f"{name}.onnx", "family": name.rsplit("-op", 1)[0], "opset": opset, "producer": producer,
           "torch_version": torch.__version__, **ref}
    write_ref(name, ref)
    return name, mp, ref, info


# ------------------------------------------------------------- README

README_HEAD = """# Model zoo fixtures

Generated by `scripts/export-zoo.py` (dev only, never run in CI; the files here are committed):

    /usr/bin/python3 scripts/export-zoo.py

(Debian python3-torch {torch}, python3-torchvision {tv}, python3-onnx {onnx}, and node with `npm ci` done:
onnxruntime pairs the ONNX tensors with PyTorch's, see the script's docstring. Deterministic.)

One small instance of every torchvision classification family, built from torchvision's own classes and blocks
at reduced widths/depths, random weights (BatchNorm statistics, LayerNorm/GroupNorm affines and ConvNeXt layer
scales randomised; final layer scaled to max |logit| = 4), 10 classes, eval mode, dynamic batch axis, exported
by `torch.onnx.export(..., do_constant_folding=True)` at opset 13 and 17; plus hand-built graphs (onnx.helper)
for opset 18/21 forms and tf2onnx's NHWC patterns. `docs/MODELS.md` says what the engine does with each
(`node --import tsx scripts/zoo-status.ts`); `test/core/zoo/zoo.test.ts` checks it.

## Reference data (`<model>.ref.json`)

Float64 PyTorch on the same weights, for a fixed batch of N = 2 inputs on a 1/8 grid (exact in float32).
Fields as in `test/fixtures/README.md` (`input`, `logits`, `z`, `upstream_logits`, `upstream_z`, `sites`), plus
`family`, `opset`, `producer`, `z_tensor` (the ONNX name of z: the input of the classifier Gemm/MatMul that the
engine's rule finds; where there is none, `classifier_found` is false and z is the input of the last Conv) and,
in each site, `tensor`: its ONNX name. `sites` lists EVERY float tensor of rank >= 2 with a PyTorch
counterpart, in graph order (not only the engine's gate sites, which are looked up by name); `grad` is dL/dg
for a gate g (all ones) on that tensor's axis 1, L = sum(logits * R1) + sum(z * R2), 6 significant digits, and
`grad_last` (rank >= 3) the same for a gate on its last axis, where the engine gates channels-last tensors.

## Models

| file | model | input | params | bytes | ONNX ops (count) | z tensor | tensors paired |
|---|---|---|---|---|---|---|---|
"""


def write_readme(rows, failures):
    lines = [README_HEAD.format(torch=torch.__version__, tv=torchvision.__version__, onnx=onnx.__version__)]
    for r in rows:
        lines.append(r + "\n")
    lines.append("\n## Exports that failed\n\n")
    if failures:
        lines.append("| model | opset | error |\n|---|---|---|\n")
        for name, opset, err in failures:
            lines.append(f"| {name} | {opset} | {err} |\n")
    else:
        lines.append("None: torch 1.13 wrote every family at opset 13 and 17.\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("".join(lines))


def row(stem, what, mp, ref, info):
    ops, params = graph_summary(mp)
    size = os.path.getsize(os.path.join(OUT, f"{stem}.onnx"))
    dims = "×".join(map(str, ref["input"]["dims"][1:]))
    opstr = ", ".join(f"{k} {v}" for k, v in sorted(ops.items()))
    z = f"`{ref['z_tensor']}` {ref['z']['dims'][1:]}" + ("" if ref["classifier_found"] else " (no classifier layer)")
    return f"| `{stem}.onnx` | {what} | {dims} | {params:,} | {size:,} | {opstr} | {z} | {info['paired']}/{info['tensors']} |"


def main():
    only = set(sys.argv[1:])
    os.makedirs(OUT, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    rows, failures = [], []
    for i, (name, (builder, in_shape, what)) in enumerate(FAMILIES.items()):
        for opset in OPSETS:
            if only and name not in only:
                continue
            print(f"== {name} opset {opset}", flush=True)
            try:
                stem, mp, ref, info = export_family(name, builder, in_shape, seed=100 + i, opset=opset)
            except Exception as e:  # recorded: torch 1.13 cannot write every family at every opset
                msg = " ".join(str(e).split())[:300]
                print(f"  FAILED: {type(e).__name__}: {msg}")
                failures.append((name, opset, f"{type(e).__name__}: {msg}"))
                for ext in (".onnx", ".ref.json"):
                    p = os.path.join(OUT, f"{name}-op{opset}{ext}")
                    if os.path.exists(p):
                        os.remove(p)
                continue
            print(f"  paired {info['paired']}/{info['tensors']} tensors, |logits ort - torch64| = {info['diff']:.2e}, "
                  f"{os.path.getsize(os.path.join(OUT, stem + '.onnx')):,} bytes")
            rows.append(row(stem, what, mp, ref, info))
    for i, (name, (module_builder, graph_builder, opset, producer, in_shape, what)) in enumerate(HAND_BUILT.items()):
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        stem, mp, ref, info = export_hand_built(name, module_builder, graph_builder, opset, producer, in_shape, seed=200 + i)
        print(f"  paired {info['paired']}/{info['tensors']} tensors, |logits ort - torch64| = {info['diff']:.2e}")
        rows.append(row(stem, what, mp, ref, info))
    if not only:
        write_readme(rows, failures)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"== total {total:,} bytes in {OUT}")


if __name__ == "__main__":
    main()
