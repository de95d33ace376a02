"""PyTorch reference for the `train` section of `npm run bench:scale`: one weight-training step (zero_grad, forward
in train mode, backward to every weight, SGD lr 0.01 momentum 0.9 weight decay 1e-4) on CPU, random weights.

  simple-convnet  as src/core/models/small-cnn.ts SIMPLE_CONVNET: 4 x (Conv k7 s1 p3 + bias, ReLU) 16/32/64/128,
                  no BatchNorm, GAP, Linear -> 10; input [N,3,28,28]
  resnet18        torchvision resnet18(num_classes=10) in .train() mode (BatchNorm on batch statistics, running
                  statistics updated), as src/core/models/resnet18.ts; input [N,3,32,32]

The loss is sum(logits * 0.01), the constant upstream gradient our side feeds. Input x[i] = sin(i), as ours.

Usage: /usr/bin/python3 bench/torch-train-step.py --model NAME --batch N --threads N --warmup N --repeats N
Prints one JSON line: torch, parameters, median_ms, all_ms, start_rss_mib, peak_rss_mib. Dev tool only; never a
runtime dependency.
"""

import torch
import torch.nn as nn

from torch_timing import step_arguments, time_and_report


def simple_convnet():
    layers, cin = [], 3
    for c in (16, 32, 64, 128):
        layers += [nn.Conv2d(cin, c, kernel_size=7, stride=1, padding=3), nn.ReLU()]
        cin = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(1), nn.Linear(cin, 10)]
    return nn.Sequential(*layers), (3, 28, 28)


def resnet18():
    import torchvision

    return torchvision.models.resnet18(num_classes=10), (3, 32, 32)


def main():
    a, start_rss = step_arguments(["simple-convnet", "resnet18"])

    model, in_shape = simple_convnet() if a.model == "simple-convnet" else resnet18()
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    numel = a.batch * in_shape[0] * in_shape[1] * in_shape[2]
    x = torch.sin(torch.arange(numel, dtype=torch.float64)).float().view(a.batch, *in_shape)

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        (logits * 0.01).sum().backward()
        optimizer.step()

    time_and_report(step, a.warmup, a.repeats, start_rss, parameters=sum(q.numel() for q in model.parameters()))

if __name__ == "__main__":
    main()
