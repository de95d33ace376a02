"""The authors' BISE training loop (github ivanluizmatos/BISE: bise.py, src/train_mask_and_aux_classifier.py,
src/train_eval_functions.py, src/components.py, src/losses.py) re-implemented in PyTorch for `npm run bench:run`
(bench/whole-run.ts), on the weights of an ONNX file and the arrays `bise extract` trains on.

Usage: /usr/bin/python3 bench/torch-bise-loop.py --model M.onnx --data DIR --gates DIR/gates.json [--seed 0]
       [--threads N] [--batch-size 100] [--tau-period 1] [--aux-epochs 5] [--tau-min 1e-3] [--mask-init 0] …
DIR holds x_/y_/b_{train,val,test}.npy and meta.json (bench/whole-run/export-data.ts); gates.json names the
tensors our engine gates and its bottleneck z, so both sides gate the same tensors of the same model.
Prints one JSON line: per-step times, phase totals, the selected epoch and the subnetwork's test accuracy.

What is the authors' and kept as theirs:
  - masks m_i (init 0), forward step(σ(m/τ) − 0.5), straight-through backward (the step's gradient is 1);
  - model in eval mode, weights frozen; one SGD for all masks (lr 1e-2, momentum 0.9, wd 1e-4);
  - the auxiliary head ("privacy head"): nn.Linear(z, bias classes) on detached z, ONE SGD (lr 0.1, momentum 0.9,
    wd 1e-4) created once and never reset; pretrained for --aux-epochs epochs with every unit kept, each epoch a
    full forward pass of the model over the shuffled training set; after every τ step (including the last one,
    after which the loop stops) retrained as long on the pruned model (gates step(m));
  - the step: CE reweighted by the nominal ρ (aligned 1/(Kρ), conflicting (K−1)/(K(1−ρ))), MI of the head on the
    batch's bias-conflicting samples (0 when there are none), loss = α·CE + γ·MI; then the head's own CE on
    detached z; mask and head SGD steps;
  - after each epoch: accuracy on the unbiased validation set with gates step(m); the mask is kept when it is
    >= the best so far (ties go to the later epoch); τ ← τ·factor every --tau-period epochs; stop once τ ≤ τ_min;
  - batches shuffled by torch's global RNG after torch.manual_seed(seed), last partial batch kept.
What is not theirs (so that only the method's own work is timed): data are preloaded tensors indexed per batch
(theirs: a DataLoader with 8 workers building each coloured image); their per-epoch evaluations of the training
and test sets (logging only) are left out unless --authors-evals.
Switches that make it behave like our engine instead, one difference at a time (defaults: the authors'):
  --reweighting group        CE weights 1/(G·p(y,b)) from the training counts (bise/extract.ts trainingSampleWeights)
  --head-optimizer reset     a fresh head SGD (no momentum) for the pretraining and each refit (bise/aux-training.ts)
  --ties earlier             a later epoch is selected only when strictly better on validation
  --drop-last                mask epochs leave out the last partial batch
  --batch-order ours         mask and head batches in the engine's order (deriveSeed streams, bench/engine_random.py)
  --head-init ours           the head's initial weights drawn as the engine draws them (AuxHead, deriveSeed 'aux-init')
  --as-ours                  all of the above
  --head-z cached            the head's epochs read z computed once per (pre)training, as the engine does: the same
                             maths as a forward pass per epoch (weights and gates are fixed meanwhile), only faster
Dev tool only (Debian python3-torch); never a runtime dependency.
"""
import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
from engine_random import Rng, batch_indices, derive_seed, js_number  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx import numpy_helper  # noqa: E402

IMPORTED = time.perf_counter()


class StepFunction(torch.autograd.Function):
    """1{x ≥ 0} forward, identity backward (the authors' straight-through estimator)."""

    @staticmethod
    def forward(ctx, x):
        return (x >= 0).float()

    @staticmethod
    def backward(ctx, grad):
        return grad


def attrs_of(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxNet(nn.Module):
    """The ONNX graph run op by op with torch functions (its weights frozen), with one mask vector per gate group
    multiplied into the tensors our engine gates. Supports the ops of the bench's CNNs, MLPs and ResNets."""

    OPS = {"Conv", "Relu", "Tanh", "Sigmoid", "GlobalAveragePool", "Flatten", "Gemm", "MatMul", "Add", "Mul",
           "BatchNormalization", "MaxPool", "AveragePool", "Reshape", "Identity"}

    def __init__(self, path, gates, mask_init, tau):
        super().__init__()
        model = onnx.load(path)
        g = model.graph
        unsupported = sorted({n.op_type for n in g.node} - self.OPS)
        if unsupported:
            raise SystemExit(f"{path}: the PyTorch loop does not run ops {', '.join(unsupported)}")
        self.consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
        for n in g.node:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = torch.from_numpy(numpy_helper.to_array(attrs_of(n)["value"]).copy())
        self.nodes = [(n.op_type, list(n.input), list(n.output), attrs_of(n), n.name) for n in g.node]
        self.input = gates["input"]
        self.logits = gates["logits"]
        self.bottleneck = gates["bottleneck"]
        self.pooling = gates.get("bottleneckPooling")
        self.masks = nn.ParameterList([nn.Parameter(torch.full((gr["units"],), float(mask_init))) for gr in gates["groups"]])
        self.sites = {s["tensor"]: (i, s) for i, gr in enumerate(gates["groups"]) for s in gr["sites"]}
        produced = {o for n in g.node for o in n.output}
        missing = [t for t in list(self.sites) + [self.bottleneck, self.logits] if t not in produced]
        if missing:
            raise SystemExit(f"{path}: no node writes the tensor(s) {', '.join(missing)} named in the gates file")
        self.tau = tau
        self.mode = "masked"

    def gate(self, i):
        m = self.masks[i]
        if self.mode == "vanilla":
            return torch.ones_like(m)
        if self.mode == "pruned":
            return StepFunction.apply(m)
        return StepFunction.apply(torch.sigmoid(m / self.tau) - 0.5)

    def forward(self, x):
        env = dict(self.consts)
        env[self.input] = x
        gates = {}
        for op, ins, outs, at, name in self.nodes:
            args = [env[t] if t else None for t in ins]
            env[outs[0]] = run_op(op, args, at, name)
            for o in outs:
                if o in self.sites:
                    i, site = self.sites[o]
                    if i not in gates:
                        gates[i] = self.gate(i)
                    env[o] = env[o] * site_view(gates[i], site, env[o].dim())
        z = env[self.bottleneck]
        # A feature map as z: the engine's head sees it pooled per channel (units/discover.ts bottleneckPooling).
        if self.pooling == "GlobalAveragePool":
            z = z.mean(dim=tuple(range(2, z.dim())))
        elif self.pooling == "GlobalMaxPool":
            z = z.amax(dim=tuple(range(2, z.dim())))
        return env[self.logits], z


def site_view(gate, site, rank):
    g = gate.repeat_interleave(site.get("repeat", 1)) if site.get("repeat", 1) > 1 else gate
    shape = [1] * rank
    shape[site.get("axis", 1) % rank] = -1
    return g.view(shape)


def symmetric_pads(pads, name):
    half = len(pads) // 2
    if pads[:half] != pads[half:]:
        raise SystemExit(f"node {name}: asymmetric pads {pads} are not supported by the PyTorch loop")
    return pads[:half]


def run_op(op, a, at, name):
    if op == "Conv":
        w = a[1]
        k = len(w.shape) - 2
        pads = symmetric_pads(list(at.get("pads", [0] * 2 * k)), name)
        if at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise SystemExit(f"node {name}: auto_pad is not supported by the PyTorch loop")
        conv = F.conv2d if k == 2 else F.conv1d
        return conv(a[0], w, a[2] if len(a) > 2 else None, stride=list(at.get("strides", [1] * k)), padding=pads,
                    dilation=list(at.get("dilations", [1] * k)), groups=at.get("group", 1))
    if op == "Relu":
        return F.relu(a[0])
    if op == "Tanh":
        return torch.tanh(a[0])
    if op == "Sigmoid":
        return torch.sigmoid(a[0])
    if op == "GlobalAveragePool":
        return a[0].mean(dim=tuple(range(2, a[0].dim())), keepdim=True)
    if op == "Flatten":
        axis = at.get("axis", 1)
        return a[0].reshape(int(np.prod(a[0].shape[:axis])), -1)
    if op == "Gemm":
        x = a[0].t() if at.get("transA", 0) else a[0]
        w = a[1].t() if at.get("transB", 0) else a[1]
        y = at.get("alpha", 1.0) * (x @ w)
        return y + at.get("beta", 1.0) * a[2] if len(a) > 2 and a[2] is not None else y
    if op == "MatMul":
        return a[0] @ a[1]
    if op == "Add":
        return a[0] + a[1]
    if op == "Mul":
        return a[0] * a[1]
    if op == "BatchNormalization":
        return F.batch_norm(a[0], a[3], a[4], a[1], a[2], training=False, eps=at.get("epsilon", 1e-5))
    if op == "MaxPool":
        pads = symmetric_pads(list(at.get("pads", [0, 0, 0, 0])), name)
        return F.max_pool2d(a[0], list(at["kernel_shape"]), stride=list(at.get("strides", at["kernel_shape"])), padding=pads,
                            ceil_mode=bool(at.get("ceil_mode", 0)))
    if op == "AveragePool":
        pads = symmetric_pads(list(at.get("pads", [0, 0, 0, 0])), name)
        return F.avg_pool2d(a[0], list(at["kernel_shape"]), stride=list(at.get("strides", at["kernel_shape"])), padding=pads,
                            ceil_mode=bool(at.get("ceil_mode", 0)), count_include_pad=bool(at.get("count_include_pad", 0)))
    if op == "Reshape":
        shape = [int(v) for v in a[1].tolist()]
        shape = [a[0].shape[i] if v == 0 else v for i, v in enumerate(shape)]
        return a[0].reshape(shape)
    return a[0]  # Identity


def mutual_information(head_logits, b, select, classes):
    """The authors' MI (src/losses.py, adapted from IRENE): joint of one-hot b and softmax, clamped at 1e-15, over
    the selected rows, divided by their count; Σ J·log(J / (rowsum·colsum)) / log K."""
    onehot = F.one_hot(b[select], num_classes=classes).float()
    prob = F.softmax(head_logits[select], dim=1)
    joint = torch.clamp(onehot.t() @ prob, min=1e-15) / onehot.sum()
    marginals = torch.clamp(joint.sum(dim=1, keepdim=True) @ joint.sum(dim=0, keepdim=True), min=1e-15)
    return torch.sum(joint * torch.log(joint / marginals) / math.log(classes))


def sample_weights(y, b, classes, rho, how):
    if how == "nominal":  # the authors' balanced_loss = 1 for BiasedMNIST
        return torch.where(y == b, 1 / (classes * rho), (classes - 1) / (classes * (1 - rho)))
    # 'group': 1/(G·p(y, b)) over the groups present in training, as our engine.
    counts = torch.zeros(classes, int(b.max()) + 1)
    counts.index_put_((y, b), torch.ones(len(y)), accumulate=True)
    present = int((counts > 0).sum())
    return (len(y) / (present * counts[y, b])).float()


def head_init_as_ours(head, seed):
    """The engine's AuxHead init (bise/aux-head.ts): U(−1/√D, 1/√D) from createRng(seed), every weight row-major,
    then the bias."""
    rng = Rng(seed)
    classes, d = head.weight.shape
    bound = 1 / math.sqrt(d)
    draw = lambda count: torch.tensor([(rng.next_float() * 2 - 1) * bound for _ in range(count)], dtype=torch.float64).float()  # noqa: E731
    with torch.no_grad():
        head.weight.copy_(draw(classes * d).view(classes, d))
        head.bias.copy_(draw(classes))


def accuracy_breakdown(net, x, y, b, batch, mode):
    net.mode = mode
    correct = []
    with torch.no_grad():
        for s in range(0, len(y), batch):
            logits, _ = net(x[s:s + batch])
            correct.append(logits.argmax(dim=1) == y[s:s + batch])
    ok = torch.cat(correct)
    aligned = y == b
    share = lambda m: ok[m].float().mean().item() if int(m.sum()) > 0 else 0.0  # noqa: E731
    return {"unbiased": ok.float().mean().item(), "aligned": share(aligned), "conflicting": share(~aligned)}


def load_split(data, split):
    x = torch.from_numpy(np.load(os.path.join(data, f"x_{split}.npy")))
    y = torch.from_numpy(np.load(os.path.join(data, f"y_{split}.npy")).astype(np.int64))
    b = np.load(os.path.join(data, f"b_{split}.npy")).astype(np.int64)
    if b.ndim != 1:
        raise SystemExit(f"{data}: b_{split}.npy has several bias attributes; the PyTorch loop takes one")
    return x, y, torch.from_numpy(b)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--gates", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--mask-lr", type=float, default=1e-2)
    p.add_argument("--mask-momentum", type=float, default=0.9)
    p.add_argument("--mask-weight-decay", type=float, default=1e-4)
    p.add_argument("--mask-init", type=float, default=0.0)
    p.add_argument("--aux-lr", type=float, default=0.1)
    p.add_argument("--aux-epochs", type=int, default=50)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--gamma", type=float, default=1.0)
    p.add_argument("--tau", type=float, default=1.0)
    p.add_argument("--tau-factor", type=float, default=0.5)
    p.add_argument("--tau-period", type=int, default=10)
    p.add_argument("--tau-min", type=float, default=1e-3)
    p.add_argument("--max-epochs", type=int, default=200)
    p.add_argument("--reweighting", choices=["nominal", "group"], default="nominal")
    p.add_argument("--head-optimizer", choices=["once", "reset"], default="once", help="once: one head SGD for the whole run (the authors'); reset: a fresh one for the pretraining and each refit (ours)")
    p.add_argument("--ties", choices=["later", "earlier"], default="later", help="model selection: a tie on validation accuracy goes to the later epoch (the authors' >=) or keeps the earlier one (ours >)")
    p.add_argument("--drop-last", action="store_true", help="mask epochs leave out the last partial batch (ours)")
    p.add_argument("--batch-order", choices=["torch", "ours"], default="torch", help="torch: randperm of the global RNG; ours: the engine's deriveSeed streams")
    p.add_argument("--head-init", choices=["torch", "ours"], default="torch", help="the head's initial weights from torch's nn.Linear init or drawn as the engine draws them")
    p.add_argument("--head-z", choices=["forward", "cached"], default="forward", help="forward: a model forward pass per head epoch (the authors'); cached: z computed once per head training (ours; same maths)")
    p.add_argument("--as-ours", action="store_true", help="every switch above (and --reweighting group) set as our engine does")
    p.add_argument("--authors-evals", action="store_true", help="also evaluate the training and test sets every epoch (and val/test every pretraining epoch), as the authors' script logs")
    a = p.parse_args()
    if a.as_ours:
        a.reweighting, a.head_optimizer, a.ties, a.drop_last, a.batch_order, a.head_init = "group", "reset", "earlier", True, "ours", "ours"

    torch.set_num_threads(a.threads)
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    phases = {"import": IMPORTED - STARTED}
    t = time.perf_counter()

    meta = json.load(open(os.path.join(a.data, "meta.json")))
    gates = json.load(open(a.gates))
    xtr, ytr, btr = load_split(a.data, "train")
    xva, yva, bva = load_split(a.data, "val")
    xte, yte, bte = load_split(a.data, "test")
    K = int(meta["numClasses"])
    KB = int(meta["biasClasses"][0])
    net = OnnxNet(a.model, gates, a.mask_init, a.tau)
    net.eval()
    for v in net.consts.values():
        v.requires_grad_(False)
    with torch.no_grad():
        zdim = net(xtr[:2])[1].reshape(2, -1).shape[1]
    head = nn.Linear(zdim, KB)
    if a.head_init == "ours":
        head_init_as_ours(head, derive_seed(a.seed, "aux-init"))
    weights = sample_weights(ytr, btr, K, meta.get("rho"), a.reweighting)
    mask_opt = torch.optim.SGD(net.masks.parameters(), lr=a.mask_lr, momentum=a.mask_momentum, weight_decay=a.mask_weight_decay)
    head_opt = torch.optim.SGD(head.parameters(), lr=a.aux_lr, momentum=0.9, weight_decay=1e-4)
    n = len(ytr)
    phases["load"] = time.perf_counter() - t

    def add(phase, since):
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - since

    def batches(ours_seed, drop_last):
        """One epoch's batches: torch's randperm (the authors'), or the engine's order from `ours_seed`."""
        if a.batch_order == "ours":
            for idx in batch_indices(n, a.batch_size, ours_seed, drop_last):
                yield torch.tensor(idx, dtype=torch.int64)
            return
        order = torch.randperm(n)
        for s in range(0, n, a.batch_size):
            if drop_last and s + a.batch_size > n:
                break
            yield order[s:s + a.batch_size]

    def train_head(mode, why):
        """The authors' pretrain_PH: --aux-epochs epochs of the head on detached z of the model in `mode`; `why`
        names the engine's batch stream (bise/extract.ts retrainHeads)."""
        nonlocal head_opt
        if a.head_optimizer == "reset":
            head_opt = torch.optim.SGD(head.parameters(), lr=a.aux_lr, momentum=0.9, weight_decay=1e-4)
        cached = None
        if a.head_z == "cached" and a.aux_epochs > 0:
            net.mode = mode
            with torch.no_grad():
                cached = torch.cat([net(xtr[s:s + a.batch_size])[1].reshape(min(a.batch_size, n - s), -1) for s in range(0, n, a.batch_size)])
        for e in range(a.aux_epochs):
            train_head_epoch(mode, derive_seed(derive_seed(a.seed, "aux", why, 0), "aux-epoch", e), cached)
            if a.authors_evals and why == "pretraining":
                s = time.perf_counter()
                accuracy_breakdown(net, xva, yva, bva, a.batch_size, "vanilla")
                accuracy_breakdown(net, xte, yte, bte, a.batch_size, "vanilla")
                add("authors_evals", s)

    def train_head_epoch(mode, ours_seed, cached):
        net.mode = mode
        for idx in batches(ours_seed, False):
            if cached is not None:
                z = cached[idx]
            else:
                with torch.no_grad():
                    _, z = net(xtr[idx])
            loss = F.cross_entropy(head(z.reshape(len(idx), -1)), btr[idx])
            head_opt.zero_grad()
            loss.backward()
            head_opt.step()

    t = time.perf_counter()
    train_head("vanilla", "pretraining")
    add("pretrain_head", t)

    step_ms, iteration_ms, history = [], [], []
    tau, epoch, refits = a.tau, 0, 0
    best = {"accuracy": -1.0, "epoch": 0, "masks": None}
    # The selection the other tie rule makes, from the same run: what --ties alone changes, without a second run.
    other_ties = "earlier" if a.ties == "later" else "later"
    other = dict(best)
    while True:
        epoch += 1
        net.tau = tau
        sums = {"ce": 0.0, "mi": 0.0, "correct": 0, "seen": 0, "step_s": 0.0, "iteration_s": 0.0}
        for idx in batches(derive_seed(a.seed, "epoch", epoch - 1), a.drop_last):
            t_iter = time.perf_counter()
            x, y, b = xtr[idx], ytr[idx], btr[idx]
            w = weights[idx]
            t_step = time.perf_counter()
            net.mode = "masked"
            logits, z = net(x)
            z = z.reshape(len(idx), -1)
            head_logits_detached = head(z.detach())
            loss_task = (F.cross_entropy(logits, y, reduction="none") * w).mean()
            loss_head = F.cross_entropy(head_logits_detached, b)
            conflicting = b != y
            mi = mutual_information(head(z), b, conflicting, KB) if bool(conflicting.any()) else torch.tensor(0.0)
            mask_opt.zero_grad()
            loss = a.alpha * loss_task + a.gamma * mi
            loss.backward()
            head_opt.zero_grad()
            loss_head.backward()
            mask_opt.step()
            head_opt.step()
            head_opt.zero_grad()
            sums["ce"] += loss_task.item() * len(idx)
            sums["mi"] += mi.item() * len(idx)
            sums["correct"] += int((logits.argmax(dim=1) == y).sum())
            sums["seen"] += len(idx)
            done = time.perf_counter()
            step_ms.append((done - t_step) * 1000)
            iteration_ms.append((done - t_iter) * 1000)
            sums["step_s"] += done - t_step
            sums["iteration_s"] += done - t_iter
        phases["steps"] = phases.get("steps", 0.0) + sums["step_s"]
        phases["data"] = phases.get("data", 0.0) + sums["iteration_s"] - sums["step_s"]

        t = time.perf_counter()
        val = accuracy_breakdown(net, xva, yva, bva, a.batch_size, "pruned")["unbiased"]
        add("val_eval", t)
        if a.authors_evals:
            t = time.perf_counter()
            accuracy_breakdown(net, xtr, ytr, btr, a.batch_size, "pruned")
            accuracy_breakdown(net, xte, yte, bte, a.batch_size, "pruned")
            add("authors_evals", t)
        if val > best["accuracy"] or (val == best["accuracy"] and a.ties == "later"):
            best = {"accuracy": val, "epoch": epoch, "masks": [m.detach().clone() for m in net.masks]}
        if val > other["accuracy"] or (val == other["accuracy"] and other_ties == "later"):
            other = {"accuracy": val, "epoch": epoch, "masks": [m.detach().clone() for m in net.masks]}
        kept = sum(int((m >= 0).sum()) for m in net.masks)
        history.append({"epoch": epoch, "tau": tau, "crossEntropy": sums["ce"] / sums["seen"], "mutualInformation": sums["mi"] / sums["seen"],
                        "trainAccuracy": sums["correct"] / sums["seen"], "valUnbiasedAccuracy": val, "keptUnits": kept})
        if epoch % a.tau_period == 0:
            tau *= a.tau_factor
            t = time.perf_counter()
            train_head("pruned", f"τ = {js_number(tau)}")
            refits += 1
            add("refits", t)
        if tau <= a.tau_min or epoch >= a.max_epochs:
            break

    t = time.perf_counter()
    with torch.no_grad():
        for m, kept_m in zip(net.masks, other["masks"]):
            m.copy_(kept_m)
    test_other = test = accuracy_breakdown(net, xte, yte, bte, a.batch_size, "pruned")
    with torch.no_grad():
        for m, kept_m in zip(net.masks, best["masks"]):
            m.copy_(kept_m)
    if other["epoch"] != best["epoch"]:
        test = accuracy_breakdown(net, xte, yte, bte, a.batch_size, "pruned")
    vanilla = accuracy_breakdown(net, xte, yte, bte, a.batch_size, "vanilla")
    add("test_eval", t)
    s = sorted(step_ms)
    it = sorted(iteration_ms)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps": len(step_ms),
        "median_step_ms": s[len(s) // 2],
        "median_iteration_ms": it[len(it) // 2],
        "step_ms": step_ms,
        "epochs": epoch,
        "refits": refits,
        "phases_s": phases,
        "total_s": time.perf_counter() - STARTED,
        "selected_epoch": best["epoch"],
        "switches": {"reweighting": a.reweighting, "head_optimizer": a.head_optimizer, "ties": a.ties, "drop_last": a.drop_last,
                     "batch_order": a.batch_order, "head_init": a.head_init, "head_z": a.head_z},
        "history": history,
        "kept_units": sum(int((m >= 0).sum()) for m in best["masks"]),
        "total_units": sum(m.numel() for m in best["masks"]),
        "test": test,
        "vanilla_test": vanilla,
        "other_ties": {"ties": other_ties, "selected_epoch": other["epoch"], "test": test_other,
                       "kept_units": sum(int((m >= 0).sum()) for m in other["masks"])},
    }))


if __name__ == "__main__":
    main()
