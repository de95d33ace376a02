"""PyTorch reference for `npm run bench:scale`: the BISE mask-learning step (gated forward + backward to the gates,
all gates open) on the bench's architectures with random weights, CPU.

  simple-convnet  4 x (Conv k7 p3 + bias, ReLU, gate), GAP, Linear -> 10; input [N,3,28,28]; --channels sets widths
  mlp             Flatten, 3 x (Linear 100, ReLU, gate), Linear -> 10; input [N,3,28,28]
  resnet18        torchvision resnet18(num_classes=10) with every BatchNorm folded into its conv (as the ONNX export
                  does); gates as in scripts/export-fixtures.py: stem ReLU, then per BasicBlock after the first ReLU
                  and after the residual add + ReLU (17 gates); input [N,3,32,32]

The loss is sum(logits * R1) + sum(z * R2), z the input of the final Linear; only the gates require grad.

Usage: /usr/bin/python3 bench/torch-scale-step.py --model NAME [--channels 16,32,64,128] --batch N --threads N
                                                 --warmup N --repeats N
Prints one JSON line: torch, median_ms, all_ms, start_rss_mib, peak_rss_mib. Dev tool only; never a runtime dependency.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import step_arguments, time_and_report


def gate(h, g):
    return h * (g.view(1, -1, 1, 1) if h.dim() == 4 else g.view(1, -1))


def simple_convnet(channels):
    convs, cin = [], 3
    for c in channels:
        convs.append(nn.Conv2d(cin, c, kernel_size=7, padding=3))
        cin = c
    fc = nn.Linear(cin, 10)

    def forward(x, gates):
        h = x
        for conv, g in zip(convs, gates):
            h = gate(F.relu(conv(h)), g)
        z = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)
        return fc(z), z

    return nn.ModuleList(convs + [fc]), list(channels), (3, 28, 28), forward


def mlp():
    hidden = [nn.Linear(3 * 28 * 28, 100), nn.Linear(100, 100), nn.Linear(100, 100)]
    classifier = nn.Linear(100, 10)

    def forward(x, gates):
        h = torch.flatten(x, 1)
        for lin, g in zip(hidden, gates):
            h = gate(F.relu(lin(h)), g)
        return classifier(h), h

    return nn.ModuleList(hidden + [classifier]), [100, 100, 100], (3, 28, 28), forward


def resnet18():
    import torchvision
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    m = torchvision.models.resnet18(num_classes=10).eval()
    stem = fuse_conv_bn_eval(m.conv1, m.bn1)
    blocks = []
    for layer in (m.layer1, m.layer2, m.layer3, m.layer4):
        for b in layer:
            down = fuse_conv_bn_eval(b.downsample[0], b.downsample[1]) if b.downsample is not None else None
            blocks.append((fuse_conv_bn_eval(b.conv1, b.bn1), fuse_conv_bn_eval(b.conv2, b.bn2), down))
    widths = [64] + [c for c in (64, 128, 256, 512) for _ in range(4)]

    def forward(x, gates):
        h = m.maxpool(gate(F.relu(stem(x)), gates[0]))
        for k, (conv1, conv2, down) in enumerate(blocks):
            identity = h if down is None else down(h)
            out = gate(F.relu(conv1(h)), gates[1 + 2 * k])
            h = gate(F.relu(conv2(out) + identity), gates[2 + 2 * k])
        z = torch.flatten(m.avgpool(h), 1)
        return m.fc(z), z

    modules = nn.ModuleList([stem, m.fc] + [c for blk in blocks for c in blk if c is not None])
    return modules, widths, (3, 32, 32), forward


def main():
    a, start_rss = step_arguments(["simple-convnet", "mlp", "resnet18"], channels="16,32,64,128")

    if a.model == "simple-convnet":
        modules, widths, in_shape, forward = simple_convnet([int(c) for c in a.channels.split(",")])
    elif a.model == "mlp":
        modules, widths, in_shape, forward = mlp()
    else:
        modules, widths, in_shape, forward = resnet18()
    modules.eval()
    for param in modules.parameters():
        param.requires_grad_(False)
    gates = [torch.ones(c, requires_grad=True) for c in widths]
    x = torch.randn(a.batch, *in_shape)
    with torch.no_grad():
        logits0, z0 = forward(x, gates)
    r1, r2 = torch.randn_like(logits0), torch.randn_like(z0)

    def step():
        for g in gates:
            g.grad = None
        logits, z = forward(x, gates)
        ((logits * r1).sum() + (z * r2).sum()).backward()

    time_and_report(step, a.warmup, a.repeats, start_rss)

if __name__ == "__main__":
    main()
