"""Pictures of the backward graph: Graphviz DOT text, drawn by Graphviz's own `dot` program.

>>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
>>> g = graph((x * x).sum(), params={"x": x})
>>> g.render("graph.svg")   # needs Graphviz's `dot`; g.source is the DOT text without it
'graph.svg'

The picture is torchviz's: one box per `grad_fn` node, named as PyTorch names it
(MulBackward0, AccumulateGrad, ...); an arrow from each of a node's `next_functions`
to the node, so arrows run from the leaves to the outputs and a backward pass walks
them against the arrows; a leaf tensor (blue) points to its AccumulateGrad, a node
points to the output tensor (green) it made. With show_saved, the tensors a node
saved for backward (orange, its `grad_fn._saved_<name>` attributes) hang on it by a
plain line labelled with PyTorch's name, and the other saved values are listed in
its box. Node ids count up in the order of the walk, so the same program gives the
same text.
"""
import os
import shutil
import subprocess
import textwrap

import numpy as np

from .saved_tensors import saved_attribute_names
from .tensor import Tensor

FORMATS = ("svg", "png", "pdf")  # what render() asks `dot` for; ".dot" and ".gv" write the DOT text itself
INSTALL = ("Graphviz's `dot` program is not on PATH, and drawing a graph needs it: install Graphviz "
           "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda install graphviz). "
           "The DOT text itself needs nothing: graph(...).source")

_COLORS = {"output": "darkolivegreen1", "leaf": "lightblue", "saved": "orange"}
_RANK = {"saved": 0, "leaf": 1, "output": 2}  # a tensor with several roles is drawn in its highest one
_MAX_ATTRIBUTE = 50  # characters of a saved non-tensor value shown in a node's box


class GraphvizNotFound(RuntimeError):
    """Rendering needs Graphviz's `dot` program, and it is not installed."""


class Graph:
    """The backward graph of some tensors as Graphviz DOT text.

    `source` (and `str()`) is the text; `render(path)` draws it to a file, `pipe(format)`
    returns the drawing's bytes, and a notebook shows it through `_repr_svg_`.
    """

    def __init__(self, source, n_nodes):
        self.source = source
        self.n_nodes = n_nodes

    def __str__(self):
        return self.source

    def __repr__(self):
        return f"<dxdy.viz.Graph of {self.n_nodes} nodes: print it for its DOT text>"

    def pipe(self, format="svg"):
        """The graph drawn by `dot -T<format>`, as bytes."""
        dot = shutil.which("dot")
        if dot is None:
            raise GraphvizNotFound(INSTALL)
        done = subprocess.run([dot, "-T" + format], input=self.source.encode("utf-8"), capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz's dot failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
        return done.stdout

    def render(self, path):
        """Write the graph to `path`, drawn as its suffix says (.svg, .png, .pdf), or as DOT text (.dot, .gv).

        Returns the path.
        """
        suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        if suffix in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif suffix in FORMATS:
            data = self.pipe(suffix)
        else:
            raise ValueError(f"render() writes .svg, .png, .pdf, .dot or .gv files, not {os.fspath(path)!r}")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        return self.pipe("svg").decode("utf-8")


def graph(y, params=None, show_saved=False, show_values=False):
    """The backward graph of tensor `y` (or of a tuple or list of tensors), as a Graph of DOT text.

    params: a dict name -> tensor that names the leaves (`dict(model.named_parameters())`);
    other leaves are labelled by their shape. show_saved: draw what each node saved for
    backward. show_values: add the values of the tensors drawn to their labels.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> print(graph((x * 2).sum(), params={"x": x}), end="")
    digraph backward {
      graph [ranksep=0.1]
      node [shape=box style=filled fillcolor=lightgrey fontname=monospace fontsize=10 height=0.2]
      n1 [label="SumBackward0"]
      n2 [label="MulBackward0"]
      n3 [label="AccumulateGrad"]
      n0 [label="()" fillcolor=darkolivegreen1]
      n4 [label="x\\n(2)" fillcolor=lightblue]
      n2 -> n1
      n3 -> n2
      n4 -> n3
      n1 -> n0
    }
    """
    outputs = tuple(y) if isinstance(y, (tuple, list)) else (y,)
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"graph() takes a tensor or a tuple of tensors, not {type(t).__name__}")
    names = dict(params or {})
    for name, t in names.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"graph(): params[{name!r}] is a {type(t).__name__}, not a tensor")
    drawing = _Drawing(names, show_saved, show_values)
    source = drawing.draw(outputs)
    return Graph(source, len(drawing.nodes) + len(drawing.tensors))


class _Drawing:
    """One walk over the graph, collecting nodes and edges; `draw` returns the DOT text."""

    def __init__(self, names, show_saved, show_values):
        self.names = {id(t): name for name, t in names.items()}
        self.show_saved, self.show_values = show_saved, show_values
        self.ids = {}      # id(object) -> DOT id, in the order objects are met
        self.held = []     # the objects behind those ids, held so that an id() stays theirs
        self.nodes = {}    # DOT id of a grad_fn -> its label
        self.tensors = {}  # DOT id of a tensor -> [tensor, role]
        self.edges = []    # DOT statements, in the order of the walk

    def draw(self, outputs):
        for t in outputs:
            if self.tensors.get(self.id(t), (None, None))[1] == "output":
                continue  # the same tensor given twice
            self.tensor(t, "output")
            if t.grad_fn is not None:
                self.walk(t.grad_fn)
                self.edges.append(f"{self.id(t.grad_fn)} -> {self.id(t)}")
        lines = ["digraph backward {",
                 '  graph [ranksep=0.1]',
                 '  node [shape=box style=filled fillcolor=lightgrey fontname=monospace fontsize=10 height=0.2]']
        lines += [f"  {i} [label={_quote(label)}]" for i, label in self.nodes.items()]
        lines += [f"  {i} [label={_quote(self.tensor_label(t))} fillcolor={_COLORS[role]}]"
                  for i, (t, role) in self.tensors.items()]
        lines += ["  " + e for e in self.edges]
        return "\n".join(lines + ["}"]) + "\n"

    def id(self, obj):
        key = id(obj)
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
            self.held.append(obj)
        return self.ids[key]

    def tensor(self, t, role):
        """Draw tensor t; a tensor met in several roles keeps the highest (output > leaf > saved)."""
        i = self.id(t)
        if i not in self.tensors or _RANK[role] > _RANK[self.tensors[i][1]]:
            self.tensors[i] = [t, role]
        return i

    def walk(self, root):
        stack = [root]
        while stack:  # iterative: a long chain must not hit the recursion limit
            node = stack.pop()
            i = self.id(node)
            if i in self.nodes:
                continue
            label = [type(node).__name__]
            variable = getattr(node, "variable", None)  # AccumulateGrad's leaf
            if variable is not None:
                self.edges.append(f"{self.tensor(variable, 'leaf')} -> {i}")
            if self.show_saved:
                label += self.saved(node, i)
            self.nodes[i] = "\n".join(label)
            children = [child for child, _ in node.next_functions if child is not None]
            for child in children:
                self.edges.append(f"{self.id(child)} -> {i}")
            stack += reversed(children)

    def saved(self, node, i):
        """Draw the tensors `node` saved; return lines for its other saved values."""
        if getattr(node, "saved", ()) is None:  # freed by a backward pass without retain_graph
            return ["(saved values freed)"]
        try:
            items = [(name, getattr(node, "_saved_" + name)) for name in _saved_names(node)]
        except RuntimeError as e:  # as PyTorch's attributes, after an in-place change of a saved tensor
            return ["(saved values unreadable:"] + textwrap.wrap(str(e).split(":")[0] + ")", _MAX_ATTRIBUTE)[:3]
        lines = []
        for name, value, is_tensor in _classified(node, items):
            if value is None:
                continue
            if not is_tensor:
                lines.append(_cut(f"{name}: {_short(value)}"))
                continue
            many = isinstance(value, (tuple, list))  # (a `*tensors` input, as cat's): name[0], name[1], ...
            for k, t in enumerate(value if many else (value,)):
                label = _quote(f"{name}[{k}]" if many else name)
                self.edges.append(f"{self.tensor(t, 'saved')} -> {i} [dir=none style=dashed label={label}]")
        return lines

    def tensor_label(self, t):
        name = self.names.get(id(t))
        lines = ([name] if name else []) + [_shape(t)]
        if self.show_values:
            lines.append(np.array2string(t.detach().numpy(), precision=4, threshold=12, edgeitems=2,
                                         separator=", ", max_line_width=40))
        return "\n".join(lines)


def _saved_names(node):
    return saved_attribute_names(node) if hasattr(type(node), "saves") else ()


def _classified(node, items):
    """(name, value, whether it is drawn as tensor nodes): an op's saved inputs and outputs are;
    its parameters (dim, keepdim, a number) and shapes are listed in its box."""
    plan = getattr(type(node), "plan", None)
    for k, (name, value) in enumerate(items):
        if plan is not None:
            is_tensor = plan[k][0] in ("input", "out", "inputs") and _holds_tensors(value)
        else:
            is_tensor = _holds_tensors(value)
        yield name, value, is_tensor


def _holds_tensors(value):
    if isinstance(value, (tuple, list)):
        return bool(value) and all(isinstance(v, Tensor) for v in value)
    return isinstance(value, Tensor)


def _short(value):
    if isinstance(value, Tensor):
        return str(value.tolist())
    return str(value)


def _cut(text):
    return text if len(text) <= _MAX_ATTRIBUTE else text[:_MAX_ATTRIBUTE - 3] + "..."


def _shape(t):
    return "(" + ", ".join(str(n) for n in t.shape) + ")"


def _quote(text):
    """A DOT string: quotes and backslashes escaped, line breaks as DOT's \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
