"""`dxdy.explain(y, gradient)`: a backward pass, told node by node.

The tutorial reads `y.backward(v)` as the row vector v times the Jacobian: vᵀJ.
`explain` shows that product at every node of the graph: for each node, in the
order the engine runs them, the gradient that arrived (v), the node's local
Jacobian J (when it is small) and the products vᵀJ it sends on, and at the end
the gradient of each leaf, which is what `backward` would add to its `.grad`.

>>> x = dxdy.tensor([1., 2., 3., 4.], dtype=dxdy.float64, requires_grad=True)
>>> y = dxdy.tensor([3., 4., 5., 6.], dtype=dxdy.float64, requires_grad=True)
>>> report = dxdy.explain(x * y, dxdy.tensor([2., 3., 4., 5.]), inputs={"x": x, "y": y})
>>> report.grads["x"]
tensor([ 6., 12., 20., 30.], dtype=dxdy.float64)

NOTE [How explain watches the engine]
There is no second engine here. `explain` runs the real one, through
`autograd.grad(..., retain_graph=True)`, so nothing is freed and no `.grad` is
written, with a post-hook on every node of the graph: the engine hands each hook
the gradient that reached the node (after the user's hooks ran) and the gradients
the node's rules produced, in the order it runs the nodes. The engine sums a
gradient back to its input's broadcast shape after the hooks, so the report does
the same with the engine's own `_conform`. The local Jacobian is the node's own
rules (engine._run_node) run once per one-hot cotangent, one row per output
element: vᵀJ then equals the product the node sent, unless a user's hook
changed it. The hooks explain adds are taken off again; so are the retain_grad
hooks for the pass, so that no non-leaf's `.grad` changes either.
"""
import html
import sys
import types

import numpy as np

from . import engine as _engine
from .ops._xp import numpy_ns
from .printing import _tensor_str
from .tensor import Tensor

MAX_JACOBIAN = 64  # the most entries a local Jacobian block may have to be printed in full

__all__ = ["explain", "Explanation"]


def explain(y, gradient=None, inputs=None):
    """Run the backward pass of `y` (with `gradient`, as `y.backward(gradient)`) and say what each node did.

    `y`'s graph stays usable (a later `y.backward()` works) and no `.grad` changes.
    `inputs`: the tensors whose gradients end the report, as a sequence or as a
    dict name → tensor that also names them; by default every leaf the pass
    reaches. Returns an `Explanation`, which prints as aligned text and renders as
    an HTML table in a notebook.
    """
    from . import autograd, tensor as _make_tensor

    if gradient is not None and not isinstance(gradient, Tensor):
        gradient = _make_tensor(gradient, dtype=y.dtype)
    names = {}
    if isinstance(inputs, dict):
        names = {id(t): name for name, t in inputs.items()}
        inputs = list(inputs.values())
    nodes, leaves = _graph(y)
    all_leaves = inputs is None
    if all_leaves:
        inputs = leaves
    else:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)

    seen = []  # (node, grad_inputs, grad_outputs), in the order the engine ran the nodes
    added, had_no_hooks, retained = [], [], []

    def watch(node):
        return lambda grad_inputs, grad_outputs: seen.append((node, grad_inputs, grad_outputs))

    for node in nodes:
        if node.hooks is None:
            had_no_hooks.append(node)
        elif node.hooks.retain:
            retained.append((node, node.hooks.retain))
            node.hooks.retain = {}
        added.append(node.register_hook(watch(node)))
    try:
        grads = autograd.grad(y, inputs, gradient, retain_graph=True, allow_unused=True)
    finally:
        for handle in added:
            handle.remove()
        for node in had_no_hooks:
            node.hooks = None
        for node, retain in retained:
            node.hooks.retain = retain

    steps = [_step(k, node, gi, go) for k, (node, gi, go) in enumerate(seen, 1)]
    numbers = {step.node: step.number for step in steps}
    ends = [_End(t, g, names.get(id(t))) for t, g in zip(inputs, grads)]
    if all_leaves:  # listed as they complete: after the last node that sends to them, by input position
        last = {}
        for step in steps:
            for send in step.sends:
                last[id(send.edge)] = (step.number, send.input_nr)
        ends.sort(key=lambda end: last.get(id(end.tensor), (0, 0)))
    for k, end in enumerate(ends, 1):
        if end.name is None:
            end.name = f"{'leaf' if end.tensor.grad_fn is None else 'input'} {k}"
    end_names = {id(e.tensor): e.name for e in ends}
    for step in steps:
        for send in step.sends:
            send.target = _target_name(send.edge, send.output_nr, numbers, end_names)
    # v as the engine takes it: in y's dtype
    v = np.ones(y._data.shape, y._data.dtype) if gradient is None else np.asarray(gradient._data, y._data.dtype)
    return Explanation(tuple(y._data.shape), v, steps, ends)


def _graph(y):
    """The nodes of `y`'s graph and the leaves it reaches (iteratively: a graph may be a long chain)."""
    if y.grad_fn is None:
        return [], ([y] if y.requires_grad else [])
    nodes, leaves, stack, seen = [], {}, [y.grad_fn], {y.grad_fn}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for nxt in node.next:
            if nxt is None:
                continue
            if not nxt.is_node:
                leaves[nxt] = None
            elif nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return nodes, list(leaves)


class _Send:
    """One vector–Jacobian product a node sends to the node or leaf behind input `input_nr`."""

    def __init__(self, input_nr, edge, output_nr, vjp, jacobian, jacobian_shape):
        self.input_nr, self.edge, self.output_nr = input_nr, edge, output_nr
        self.vjp, self.jacobian, self.jacobian_shape = vjp, jacobian, jacobian_shape
        self.target = None


class _Step:
    """What one node of the graph did: the gradient it got and what it sent on."""

    def __init__(self, number, node, incoming, sends):
        self.number, self.node, self.name = number, node, node.name()
        self.incoming = incoming  # per output: the gradient that arrived (an array), or None (zero)
        self.sends = sends

    @property
    def output_shapes(self):
        return [None if g is None else tuple(g.shape) for g in self.incoming]


class _End:
    def __init__(self, tensor, grad, name):
        self.tensor, self.name = tensor, name
        self.grad = None if grad is None else np.asarray(grad._data)


def _step(number, node, grad_inputs, grad_outputs):
    incoming = [None if g is None else np.asarray(g._data) for g in grad_outputs]
    rules = getattr(node, "rules", None)
    # As next_functions, grad_inputs has no entry for an input that can never have a gradient.
    inputs = [i for i in range(len(node.next)) if rules is None or rules[i] is not None]
    vjps = dict(zip(inputs, grad_inputs))
    rows = _jacobian_rows(node, incoming)
    sends = []
    for i, edge in enumerate(node.next):
        if edge is None or vjps.get(i) is None:
            continue
        vjp = _conformed(node, i, vjps[i]._data)
        shape = (sum(g.size for g in incoming if g is not None), vjp.size)
        jacobian = None
        if rows is not None and shape[0] * shape[1] <= MAX_JACOBIAN:
            jacobian = np.stack([row[i].reshape(-1) for row in rows]) if rows else np.zeros(shape, vjp.dtype)
        nr = 0 if node.nrs is None else node.nrs[i]
        sends.append(_Send(i, edge, nr, vjp, jacobian, shape))
    return _Step(number, node, incoming, sends)


def _conformed(node, i, g):
    """The gradient for input i as the engine passes it on: summed to the input's shape, in its dtype."""
    meta = node.meta
    if meta is not None and meta[i] is not None:
        g = _engine._conform(numpy_ns, g, meta[i], False)
    return np.asarray(g)


def _jacobian_rows(node, incoming):
    """The rows e_jᵀJ of the node's local Jacobian: its rules run on one-hot cotangents.

    One row per element of the outputs that received a gradient (the others add
    nothing); None when no block could be small enough to print.
    """
    total = sum(g.size for g in incoming if g is not None)
    if total > MAX_JACOBIAN:
        return None
    multi = node.n_outputs > 1
    rows = []
    for k, g in enumerate(incoming):
        if g is None:
            continue
        for j in range(g.size):
            one_hot = np.zeros(g.shape, g.dtype)
            one_hot.reshape(-1)[j] = 1
            if multi:
                cotangent = [None if h is None else np.zeros(h.shape, h.dtype) for h in incoming]
                cotangent[k] = one_hot
            else:
                cotangent = one_hot
            out = _engine._run_node(node, cotangent, numpy_ns, False)
            rows.append({i: _conformed(node, i, gi) for i, gi in enumerate(out) if gi is not None})
    return rows


def _target_name(edge, output_nr, numbers, end_names):
    if edge.is_node:
        number = numbers.get(edge)
        if number is None:
            return f"{edge.name()} (not run: it leads to no input)"
        which = f" output {output_nr}" if edge.n_outputs > 1 else ""
        return f"#{number} {edge.name()}{which}"
    return end_names.get(id(edge), "a leaf that is not among the inputs")


# -- printing -------------------------------------------------------------------------------------


def _values(a, indent=0):
    """An array as PyTorch prints a tensor's body: [ 6., 12., 20., 30.]."""
    if a is None:
        return "None (zero)"
    return _tensor_str(np.asarray(a), a.dtype.kind in "fc", indent)


def _shape(shape):
    return "()" if shape == () else "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _jacobian_text(send, indent=0):
    if send.jacobian is None:
        return f"{send.jacobian_shape[0]}×{send.jacobian_shape[1]}, too large to show"
    return _values(send.jacobian, indent)


class Explanation:
    """The account of one backward pass that `explain` returns.

    `steps`: one per node, in the order the engine ran them (`.name`, `.incoming`,
    `.sends`, each send with `.target`, `.vjp`, `.jacobian`); `grads`: the leaves'
    gradients by name (None where no gradient arrives); `str()` is the report.

    A local Jacobian is printed as a matrix: one row per element of the node's
    output(s) that received a gradient, one column per element of the input,
    both flattened in row-major order, so that (gradient as a row) · J = vᵀJ.
    """

    def __init__(self, shape, gradient, steps, ends):
        self.shape, self.gradient, self.steps, self.ends = shape, gradient, steps, ends

    @property
    def grads(self):
        from . import tensor as _make_tensor
        return {e.name: None if e.grad is None else _make_tensor(e.grad) for e in self.ends}

    def _rows(self):
        """(indent, label, value) rows: what both renderings show."""
        rows = [(0, "backward of", f"a tensor of shape {_shape(self.shape)}"), (0, "gradient v", self.gradient)]
        for step in self.steps:
            outs = ", ".join("?" if s is None else _shape(s) for s in step.output_shapes)
            rows.append((0, f"#{step.number} {step.name}", f"output {outs}"))
            for k, g in enumerate(step.incoming):
                rows.append((1, "v (incoming)" + (f" output {k}" if len(step.incoming) > 1 else ""), g))
            for send in step.sends:
                rows.append((1, f"to {send.target}", f"input {send.input_nr}, shape {_shape(send.vjp.shape)}"))
                rows.append((2, "J", send))
                rows.append((2, "vᵀJ", send.vjp))
        rows.append((0, "gradients", "what backward adds to .grad"))
        for end in self.ends:
            rows.append((1, f"{end.name} {_shape(tuple(end.tensor.shape))}", end.grad))
        return rows

    def __str__(self):
        rows = self._rows()
        width = max(2 * indent + len(label) for indent, label, _ in rows) + 2
        lines = []
        for indent, label, value in rows:
            head = " " * (2 * indent) + label
            head = head + " " * (width - len(head))
            if isinstance(value, _Send):
                text = _jacobian_text(value, width)
            elif isinstance(value, np.ndarray) or value is None:
                text = _values(value, width)
            else:
                text = str(value)
            if indent == 0 and len(lines) > 1 and label != "gradient v":
                lines.append("")
            lines.append((head + text).rstrip())
        return "\n".join(lines)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        cells = []
        for indent, label, value in self._rows():
            if isinstance(value, _Send):
                text = _jacobian_text(value)
            elif isinstance(value, np.ndarray) or value is None:
                text = _values(value)
            else:
                text = str(value)
            kind = "step" if indent == 0 else "detail"
            cells.append(f'<tr class="{kind}"><th style="text-align:left;padding-left:{1.5 * indent}em">'
                         f'{html.escape(label)}</th><td style="text-align:left"><pre style="margin:0">'
                         f'{html.escape(text)}</pre></td></tr>')
        return '<table class="dxdy-explain">\n' + "\n".join(cells) + "\n</table>"


class _CallableModule(types.ModuleType):
    """`dxdy.explain` is this module, and calling it calls `explain` (however it was imported)."""

    def __call__(self, y, gradient=None, inputs=None):
        return explain(y, gradient, inputs)


sys.modules[__name__].__class__ = _CallableModule
