"""Finds, in a PyTorch model, the tensors that the engine gates in the ONNX file torch.onnx (1.13+) exported from it,
by the module scopes torch.onnx writes into node names: the node '/layer1/layer1.0/relu_2/Relu' runs in the third
call (suffix _2) of module 'layer1.0.relu' within its parent's call. Each scope component is a module's name from
its last non-numeric atom on ('features.0.0', 'conv1'), as torch.onnx's _unqualified_variable_name writes it.

A gate site (an ONNX tensor) becomes one of:
  ('output', module, call)  the tensor is what that module call returns: it is produced inside the module's scope
                            and read by no node inside it (Conv, ReLU, SiLU, an InvertedResidual's residual Add, …);
  ('input', module, call)   otherwise, when its only reader is a module call taking it as its one argument (an Add
                            inside a forward() followed by self.relu(out)).
Anything else is refused with the reason, so the bench says it cannot pair rather than gate another tensor. The step
script then checks each hook fires once per forward on a tensor of the site's shape, and compares the gate
gradients with the engine's.
"""
import re


def unqualified(qualified_name):
    atoms = qualified_name.split(".")
    for i in range(len(atoms) - 1, -1, -1):
        if not atoms[i].isnumeric():
            return ".".join(atoms[i:])
    return qualified_name


def scope_paths(model):
    """Tuple of scope components -> the module's qualified name, for every submodule."""
    names = {name for name, _ in model.named_modules()}
    paths = {}
    for name in names:
        if not name:
            continue
        atoms = name.split(".")
        prefixes = [".".join(atoms[: i + 1]) for i in range(len(atoms))]
        paths[tuple(unqualified(p) for p in prefixes if p in names)] = name
    return paths


def node_scope(node_name):
    """'/a/a.0/relu_1/Relu' -> ['a', 'a.0', 'relu_1'] (the last component is the op)."""
    parts = node_name.split("/")
    if len(parts) < 2 or parts[0] != "":
        raise ValueError(f"node '{node_name}' has no torch.onnx module scope in its name")
    return parts[1:-1]


def resolve_call(paths, components, node_name):
    """(module name, call index) of a node's scope; None for the model's own forward()."""
    if not components:
        return None
    key = tuple(components)
    if key in paths:
        return paths[key], 0
    m = re.fullmatch(r"(.+)_(\d+)", components[-1])
    if m and tuple(components[:-1]) + (m.group(1),) in paths:
        return paths[tuple(components[:-1]) + (m.group(1),)], int(m.group(2))
    raise ValueError(f"node '{node_name}': no module at scope /{'/'.join(components)}")


def place_site(paths, site):
    """(kind, module, call) for one site of a GateLayout (bench/scale/gate-layout.ts)."""
    tensor, producer, consumers = site["tensor"], site["producer"], site["consumers"]
    why = []
    if producer is not None:
        try:
            call = resolve_call(paths, node_scope(producer), producer)
            inner = "/" + "/".join(node_scope(producer)) + "/"
            if call is not None and not any(c["node"].startswith(inner) for c in consumers):
                return ("output",) + call
        except ValueError as e:
            why.append(str(e))
    if len(consumers) == 1:
        reader = consumers[0]["node"]
        try:
            call = resolve_call(paths, node_scope(reader), reader)
            if call is not None and (producer is None or not producer.startswith("/" + "/".join(node_scope(reader)) + "/")):
                return ("input",) + call
        except ValueError as e:
            why.append(str(e))
    raise ValueError(f"gate site '{tensor}' (written by '{producer}', read by {[c['node'] for c in consumers]}) is neither "
                     f"what a module call returns nor the one argument of a module call{': ' if why else ''}{'; '.join(why)}")
