"""Convert a PyTorch checkpoint into an ONNX model BISE can open ("BISE: Convert to ONNX for BISE").

Reads, in this order of detection:
  - a TorchScript archive (torch.jit.save)                    -> torch.jit.load
  - a torch.export archive (torch.export.save, torch >= 2.1)  -> torch.export.load(...).module()
  - a torch.save file holding a whole nn.Module               -> torch.load (runs the file's pickled code:
                                                                 only with --allow-pickle)
  - a state_dict (a dict of tensors, or a dict holding one under 'state_dict', 'model_state_dict', 'model' or
    'net'), loaded into --class package.module:Class built with --args (JSON: a list of positional arguments or
    an object of keyword arguments); torch.load(weights_only=True) where torch has it, so no code in the file runs
and writes torch.onnx.export's model with input 'input' (float32, batch axis dynamic), output 'logits', next to
the checkpoint as <stem>.onnx (<stem>-1.onnx, ... when taken; --output names it, and is never overwritten).

    python3 convert_to_onnx.py model.pt --input-shape 3,32,32
    python3 convert_to_onnx.py weights.pth --input-shape 3,32,32 --class models.resnet:ResNet \
        --args '{"num_classes": 10}' --search-path /path/to/workspace

--input-shape is one sample's shape (3,32,32 or 784); write the batch axis as N for a full shape (N,3,32,32).

Prints exactly one JSON line on stdout (everything torch prints goes to stderr):
  {"ok": true, "output": ..., "source": "torchscript"|"torch-export"|"module"|"state-dict", ...}
  {"ok": false, "kind": ..., "message": ..., "python": ..., "torch": ...}
and exits 0 on success, 2 on an error it reports. The VS Code extension runs it with the workspace's Python;
the extension itself never needs Python. Needs Python >= 3.7 and torch; not onnx or onnxruntime.
"""

import argparse
import importlib
import json
import os
import platform
import re
import sys
import traceback
import zipfile

DEFAULT_OPSET = 17
# The batch the model is traced with: 2, not 1, so code that squeezes or specialises a batch of one shows up.
TRACE_BATCH = 2
STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model", "net")
BATCH_MARKERS = ("n", "b", "batch", "?", "-1")
LISTED = 5


class ConvertError(Exception):
    """A failure the user can act on: `kind` names it for the extension, `message` says what to do."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ConvertError("bad-arguments", "convert_to_onnx.py: " + message)


def parse_args(argv):
    p = Parser(prog="convert_to_onnx.py", description="Convert a PyTorch checkpoint into an ONNX model BISE can open.")
    p.add_argument("checkpoint")
    p.add_argument("--input-shape", required=True, help="one sample's shape (3,32,32), or N,3,32,32")
    p.add_argument("--output", help="the .onnx to write (default: <stem>.onnx next to the checkpoint, or <stem>-1.onnx, ...)")
    p.add_argument("--class", dest="model_class", help="package.module:Class of a state_dict's model")
    p.add_argument("--args", dest="model_args", default="", help="the class's constructor arguments as JSON (list or object)")
    p.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    p.add_argument("--search-path", action="append", default=[], help="a folder to import --class from (repeatable)")
    p.add_argument("--allow-pickle", action="store_true", help="load a pickled whole model (runs code stored in the file)")
    return p.parse_args(argv)


# ------------------------------------------------------------------ arguments

def parse_shape(text):
    """One sample's dims from '3,32,32' / '3x32x32' / '[3, 32, 32]'; a leading N (or ?, batch) marks a full shape."""
    tokens = [t for t in re.split(r"[\s,x\u00d7]+", text.strip().strip("[]()").lower()) if t]
    if tokens and tokens[0] in BATCH_MARKERS:
        tokens = tokens[1:]
    if not tokens or not all(t.isdigit() and int(t) > 0 for t in tokens):
        raise ConvertError("bad-arguments", "input shape '%s' is not a list of positive sizes: write one sample's shape "
                           "like 3,32,32 (channels, height, width), or N,3,32,32 with the batch axis as N" % text)
    return [int(t) for t in tokens]


def parse_class(spec):
    """('package.module', ['Class']) from 'package.module:Class' (or 'package.module.Class'; 'mod:Outer.Inner')."""
    module, sep, attr = spec.strip().partition(":")
    if not sep:
        module, _, attr = spec.strip().rpartition(".")
    names = attr.split(".") if attr else []
    if not module or not names or not all(n.isidentifier() for n in names) or not all(m.isidentifier() for m in module.split(".")):
        raise ConvertError("bad-arguments", "model class '%s' is not package.module:Class (for example models.resnet:ResNet)" % spec)
    return module, names


def parse_constructor_args(text):
    """(args, kwargs) from JSON: a list is positional, an object is keyword arguments, empty is none."""
    if text is None or text.strip() == "":
        return [], {}
    try:
        value = json.loads(text)
    except ValueError as e:
        raise ConvertError("bad-arguments", "constructor arguments are not valid JSON (%s): write a list like [10] or an object "
                           "like {\"num_classes\": 10}" % e)
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        return [], value
    raise ConvertError("bad-arguments", "constructor arguments must be a JSON list (positional) or object (keyword), not %s"
                       % type(value).__name__)


def free_output(checkpoint):
    """<stem>.onnx next to the checkpoint, or <stem>-1.onnx, <stem>-2.onnx, ... when it is taken."""
    folder, name = os.path.split(os.path.abspath(checkpoint))
    stem = os.path.splitext(name)[0]
    candidate = os.path.join(folder, stem + ".onnx")
    n = 0
    while os.path.exists(candidate):
        n += 1
        candidate = os.path.join(folder, "%s-%d.onnx" % (stem, n))
    return candidate


def partial_path(output):
    """Where the model is written before it is moved into place (the extension removes it after a cancel)."""
    return output + ".partial"


# ------------------------------------------------------------------ loading

def archive_kind(path):
    """'torchscript', 'torch-export', 'pickle' (a torch.save zip or legacy file) or 'neither'."""
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            # torch.save's legacy format starts with a pickled magic number (protocol 2+: 0x80).
            return "pickle" if f.read(1) == b"\x80" else "neither"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    base = [n.rsplit("/", 1)[-1] for n in names]
    if "constants.pkl" in base or any("/code/__torch__/" in n for n in names):
        return "torchscript"
    if any("serialized_exported_program" in n for n in names) or "archive_format" in base:
        return "torch-export"
    return "pickle"


def torch_load(torch, path, allow_pickle):
    """torch.load on the cpu: weights only (no code from the file runs) unless the user allowed the pickle."""
    import inspect
    safe = "weights_only" in inspect.signature(torch.load).parameters
    if allow_pickle:
        return torch.load(path, map_location="cpu", **({"weights_only": False} if safe else {}))
    if not safe:
        raise ConvertError("needs-pickle", "torch %s cannot load a checkpoint without running the code pickled in it "
                           "(torch.load has no weights_only before 1.13); load it only if you trust the file" % torch.__version__)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, KeyError... for one problem
        if "weights only" in str(e).lower() or "weights_only" in str(e):
            # torch 1.13: "Unsupported class a.B"; torch >= 2.4: "Unsupported global: GLOBAL a.B was not an allowed global"
            found = re.search(r"Unsupported (?:global|class)[:\s]*(?:GLOBAL\s+)?(\S+)", str(e))
            what = " (it holds %s)" % found.group(1).rstrip(".,") if found else ""
            if "Unsupported operand" in str(e):  # torch 1.13's weights-only loader reads no floats, for one
                what = " (torch %s's weights-only loader cannot read all of its values)" % torch.__version__
            raise ConvertError("needs-pickle", "%s is a pickled Python object, not only tensors%s: loading it runs code stored "
                               "in the file. Load it only if you trust the file (your own)." % (os.path.basename(path), what))
        raise not_a_checkpoint(path, e)


def not_a_checkpoint(path, e):
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    first = re.sub(r"\s*\(Could this error message be improved\?.*$", "", first)  # torch's own footer
    return ConvertError("not-a-checkpoint", "%s is not a PyTorch checkpoint torch can read: not TorchScript, not a torch.export "
                        "archive, and torch.load failed (%s: %s)" % (os.path.basename(path), type(e).__name__, first[:300]))


def is_state_dict(torch, value):
    return isinstance(value, dict) and len(value) > 0 and all(isinstance(k, str) and torch.is_tensor(v) for k, v in value.items())


def unpack(torch, loaded, path):
    """(module or None, state_dict or None, the key it was under or None) from what torch.load returned."""
    if isinstance(loaded, torch.nn.Module):
        return loaded, None, None
    if is_state_dict(torch, loaded):
        return None, loaded, None
    if isinstance(loaded, dict):
        for key in STATE_DICT_KEYS:
            inner = loaded.get(key)
            if isinstance(inner, torch.nn.Module):
                return inner, None, key
            if is_state_dict(torch, inner):
                return None, inner, key
        keys = ", ".join(repr(k) for k in list(loaded)[:8])
        raise ConvertError("not-a-checkpoint", "%s holds a dict without a model: its keys are %s; expected tensors, or a "
                           "state_dict under one of %s" % (os.path.basename(path), keys or "none", ", ".join(STATE_DICT_KEYS)))
    raise ConvertError("not-a-checkpoint", "%s holds a %s, not a model or a state_dict" % (os.path.basename(path), type(loaded).__name__))


def build_model(spec, args_json, search_paths):
    module_name, names = parse_class(spec)
    args, kwargs = parse_constructor_args(args_json)
    try:
        obj = importlib.import_module(module_name)
    except ImportError as e:
        raise ConvertError("class-not-found", "cannot import %s (%s) for the model class %s; searched the workspace folder (%s) "
                           "and this Python's packages" % (module_name, e, spec, ", ".join(search_paths) or "none given"))
    for n in names:
        if not hasattr(obj, n):
            raise ConvertError("class-not-found", "%s has no %s (model class %s)" % (getattr(obj, "__name__", module_name), n, spec))
        obj = getattr(obj, n)
    try:
        return obj(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - whatever the user's constructor raises
        raise ConvertError("constructor-failed", "%s(%s) failed: %s: %s" % (spec, describe_args(args, kwargs), type(e).__name__, e))


def describe_args(args, kwargs):
    return ", ".join([json.dumps(a) for a in args] + ["%s=%s" % (k, json.dumps(v)) for k, v in kwargs.items()])


def listed(keys):
    more = " and %d more" % (len(keys) - LISTED) if len(keys) > LISTED else ""
    return ", ".join(keys[:LISTED]) + more


def without_wrapper_prefix(state, own, notes):
    """Keys without the prefix a wrapper adds to all of them: DataParallel's 'module.', a Lightning module's 'model.'."""
    heads = {k.split(".", 1)[0] for k in state}
    if set(state) == set(own) or len(heads) != 1 or not all("." in k for k in state):
        return state
    prefix = heads.pop() + "."
    stripped = {k[len(prefix):]: v for k, v in state.items()}
    # 'module.' always (so a mismatch lists the model's own names); another prefix only when the keys then fit.
    if prefix == "module." and not any(k.startswith(prefix) for k in own):
        notes.append("removed the 'module.' prefix of every key (a checkpoint saved from DataParallel)")
        return stripped
    if set(stripped) == set(own):
        notes.append("removed the '%s' prefix of every key" % prefix)
        return stripped
    return state


def load_state(model, state, spec, notes):
    """Loads `state` into `model` strictly; a mismatch names the first missing, unexpected and mis-shaped keys."""
    own = model.state_dict()
    state = without_wrapper_prefix(state, own, notes)
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = ["%s (checkpoint %s, model %s)" % (k, list(state[k].shape), list(own[k].shape))
              for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append("%d missing from the checkpoint: %s" % (len(missing), listed(missing)))
        if unexpected:
            parts.append("%d not in the model: %s" % (len(unexpected), listed(unexpected)))
        if shapes:
            parts.append("%d with another shape: %s" % (len(shapes), listed(shapes)))
        raise ConvertError("key-mismatch", "the checkpoint's state_dict does not fit %s: %s. Check the class and its constructor "
                           "arguments" % (spec, "; ".join(parts)))
    model.load_state_dict(state, strict=True)


def load_model(torch, o, notes):
    """(model, source, key) for the checkpoint, or a ConvertError saying what is missing."""
    kind = archive_kind(o.checkpoint)
    if kind == "neither":
        raise ConvertError("not-a-checkpoint", "%s is not a PyTorch checkpoint: neither a zip archive (what torch.save, "
                           "torch.jit.save and torch.export.save write) nor a pickle (torch.save's legacy format)"
                           % os.path.basename(o.checkpoint))
    if kind == "torchscript":
        if o.model_class:
            notes.append("ignored the class %s: a TorchScript file holds its own code" % o.model_class)
        return torch.jit.load(o.checkpoint, map_location="cpu"), "torchscript", None
    if kind == "torch-export":
        try:
            exporter = importlib.import_module("torch.export")
        except ImportError:
            exporter = None
        if exporter is None or not hasattr(exporter, "load"):
            raise ConvertError("torch-export-unsupported", "%s is a torch.export archive, and torch %s cannot load one "
                               "(torch.export.load came with torch 2.1): install torch >= 2.1 in this Python, or save the "
                               "model with torch.jit.save or as a state_dict" % (os.path.basename(o.checkpoint), torch.__version__))
        try:
            program = exporter.load(o.checkpoint)
        except Exception as e:  # noqa: BLE001 - a damaged or foreign archive
            raise not_a_checkpoint(o.checkpoint, e)
        return program.module(), "torch-export", None
    module, state, key = unpack(torch, torch_load(torch, o.checkpoint, o.allow_pickle), o.checkpoint)
    if module is not None:
        return module, "module", key
    if not o.model_class:
        raise ConvertError("needs-class", "%s holds a state_dict (%d tensors%s, first %s): name the model class "
                           "(package.module:Class) and its constructor arguments to load it into"
                           % (os.path.basename(o.checkpoint), len(state), " under '%s'" % key if key else "", listed(list(state))))
    model = build_model(o.model_class, o.model_args, o.search_path)
    if not isinstance(model, torch.nn.Module):
        raise ConvertError("constructor-failed", "%s built a %s, not a torch.nn.Module" % (o.model_class, type(model).__name__))
    load_state(model, state, o.model_class, notes)
    return model, "state-dict", key


# ------------------------------------------------------------------ export

def first_tensor(torch, out):
    if torch.is_tensor(out):
        return out
    values = out.values() if isinstance(out, dict) else out if isinstance(out, (list, tuple)) else []
    return next((v for v in values if torch.is_tensor(v)), None)


def place(tmp, output):
    """Moves `tmp` to `output` without ever replacing a file there (link on POSIX; Windows' rename refuses)."""
    if os.name == "nt":
        os.rename(tmp, output)
        return
    try:
        os.link(tmp, output)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.exists(output):
            raise FileExistsError(output)
        os.replace(tmp, output)
        return
    os.unlink(tmp)


def export(torch, model, shape, output, opset, notes):
    """torch.onnx.export with a dynamic batch, written to `<output>.partial` and then moved into place."""
    import inspect
    model.eval()
    if any(p.is_floating_point() and p.dtype != torch.float32 for p in model.parameters()):
        notes.append("converted the weights to float32 (BISE runs float32 models)")
    model.float()
    x = torch.zeros([TRACE_BATCH] + shape)
    try:
        with torch.no_grad():
            out = model(x)
    except Exception as e:  # noqa: BLE001 - the user's forward
        raise ConvertError("forward-failed", "the model's forward fails on an input of shape %s (%s: %s): check the input shape"
                           % ([TRACE_BATCH] + shape, type(e).__name__, str(e).strip().splitlines()[0][:300] if str(e).strip() else ""))
    logits = first_tensor(torch, out)
    if logits is None:
        raise ConvertError("forward-failed", "the model's forward returns no tensor (it returns a %s)" % type(out).__name__)
    if logits.dim() != 2:
        notes.append("the first output has shape %s; BISE expects logits [batch, classes]" % list(logits.shape))
    tmp = partial_path(output)
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: dynamic_axes as written, on every torch that has it
    try:
        torch.onnx.export(model, (x,), tmp, opset_version=opset, do_constant_folding=True, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **kwargs)
        place(tmp, output)
    except FileExistsError:
        raise ConvertError("output-exists", "%s appeared while converting; nothing was overwritten, convert again" % output)
    except Exception as e:  # noqa: BLE001 - the exporter's message names the operator or the opset
        lines = str(e).strip().splitlines()
        raise ConvertError("export-failed", "torch.onnx.export (opset %d) failed: %s" % (opset, (lines[0] if lines else type(e).__name__)[:500]))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return list(logits.shape)


# ------------------------------------------------------------------ main

def python_version():
    return "%s %s" % (sys.executable, platform.python_version())


def main(argv):
    """The result as a dict (never raises for a problem it can name)."""
    torch = None
    try:
        o = parse_args(argv)
        shape = parse_shape(o.input_shape)
        if not os.path.isfile(o.checkpoint):
            raise ConvertError("not-found", "%s does not exist or is not a file" % o.checkpoint)
        output = os.path.abspath(o.output) if o.output else free_output(o.checkpoint)
        if os.path.exists(output):
            raise ConvertError("output-exists", "%s already exists; it is never overwritten (move it, or name another --output)" % output)
        try:
            import torch
        except ImportError as e:
            raise ConvertError("no-torch", "this Python (%s) has no torch (%s): install it (pip install torch) or pick a Python "
                               "that has it" % (python_version(), e))
        for folder in reversed(o.search_path):
            sys.path.insert(0, os.path.abspath(folder))
        notes = []
        model, source, key = load_model(torch, o, notes)
        logits_shape = export(torch, model, shape, output, o.opset, notes)
        return {"ok": True, "output": output, "source": source, "key": key, "inputShape": [TRACE_BATCH] + shape,
                "outputShape": logits_shape, "opset": o.opset, "torch": torch.__version__, "python": python_version(), "notes": notes}
    except ConvertError as e:
        return failure(e.kind, e.message, torch)
    except Exception as e:  # noqa: BLE001 - reported, with the traceback on stderr
        traceback.print_exc()
        return failure("unexpected", "%s: %s" % (type(e).__name__, e), torch)


def failure(kind, message, torch):
    return {"ok": False, "kind": kind, "message": message, "python": python_version(), "torch": torch.__version__ if torch else None}


def run_cli():
    if sys.version_info < (3, 7):
        print(json.dumps(failure("old-python", "this Python (%s) is older than 3.7, which torch and this script need"
                                 % python_version(), None)))
        return 2
    # torch and the user's code print to stdout too: send fd 1 to stderr, keep the real stdout for the one result line.
    sys.stdout.flush()
    result_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    result = main(sys.argv[1:])
    result_out.write(json.dumps(result, ensure_ascii=True) + "\n")
    result_out.flush()
    return 0 if result["ok"] else 2


if __name__ == "__main__":
    sys.exit(run_cli())
