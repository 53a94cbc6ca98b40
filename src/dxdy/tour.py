"""`python -m dxdy tour`: the tutorial's three listings, run live, explained and checked.

The tour runs each listing of the tutorial dxdy starts from (with
`import dxdy as torch`), prints its output beside a short explanation, and
checks what the explanation claims: the identities of matrix calculus and the
vector–Jacobian reading of `backward(gradient=v)`. `tour()` returns 0 when
every check passes and 1 otherwise, so the tour doubles as a smoke test.

It also holds the helpers the command line shares: `jacobian` (one backward
per output element), `numerator_layout` (the tutorial's convention) and
`graph_lines` (the backward graph as a text tree).
"""
import contextlib
import io
import math
import sys

import numpy as np

import dxdy

# The tutorial's listings, exactly as tests/tutorial/ holds them apart from the
# first line (a test keeps the two copies equal).
LISTINGS = {
    1: r"""import dxdy as torch

x = torch.arange(4.0)
x.requires_grad_(True)
y = torch.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)
z = 2 * torch.dot(x, y)
print(x, '\n', y, '\n', z)
print("Backpropagation:")
z.backward()
print(f"z partial derivative of x: {x.grad}")
print(f"Partial derivative of z to y: {y.grad}")
y.grad.zero_()
z = y.sum()
z.backward()
print(f"Derivative of y.sum to y: {y.grad}")
""",
    2: r"""import dxdy as torch

x = torch.tensor([1, 2, 3, 4], requires_grad=True, dtype=float)
y = torch.tensor([3, 4, 5, 6], requires_grad=True, dtype=float)
z = x * y
z.sum().backward()
print(x.grad)
""",
    3: r"""import dxdy as torch

x = torch.tensor([1, 2, 3, 4], requires_grad=True, dtype=float)
y = torch.tensor([3, 4, 5, 6], requires_grad=True, dtype=float)
z = x * y
print('z:', z)
z.backward(torch.ones_like(z), retain_graph=True)
print(x.grad)
x.grad.zero_()
z.backward(torch.tensor([2, 3, 4, 5]).reshape(z.shape), retain_graph=True)
print(x.grad)
x.grad.zero_()
z.sum().backward()
print(x.grad)
""",
}

LAYOUT_TABLE = """\
    y \\ x            scalar x (1)   vector x (n,1)   matrix X (n,k)
    scalar y (1)     (1)            (1,n)            (k,n)
    vector y (m,1)   (m,1)          (m,n)            (m,k,n)
    matrix Y (m,l)   (m,l)          (m,l,n)          (m,l,k,n)"""


# ── derivatives ──────────────────────────────────────────────────────────────

def jacobian(y, x):
    """dy/dx in PyTorch's layout (shape y.shape + x.shape), one backward per element of y.

    Row i is the vector–Jacobian product e_i^T J with a one-hot e_i, computed by
    `dxdy.autograd.grad(y, x, grad_outputs=e_i, retain_graph=True)`.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> jacobian(x * x, x)
    tensor([[2., 0.],
            [0., 4.]])
    """
    n_out = y.numel()
    if not y.requires_grad or n_out == 0:  # y does not depend on x at all
        return dxdy.zeros(tuple(y.shape) + tuple(x.shape), dtype=x.dtype)
    one_hots = dxdy.eye(n_out, dtype=y.dtype)
    rows = [dxdy.autograd.grad(y, x, grad_outputs=one_hots[i].reshape(y.shape), retain_graph=True,
                               materialize_grads=True)[0]
            for i in range(n_out)]
    return dxdy.stack(rows).reshape(tuple(y.shape) + tuple(x.shape))


def numerator_layout(j, y_ndim, x_ndim):
    """Turn a Jacobian in PyTorch's layout into the tutorial's numerator layout.

    y runs down the side and x across the top; a vector counts as a column, so
    a scalar's derivative by a vector is a (1,n) row and a matrix X (n,k)
    appears transposed, (k,n). Scalars, vectors and matrices only:

    >>> numerator_layout(dxdy.ones(3), y_ndim=0, x_ndim=1).shape
    dxdy.Size([1, 3])
    >>> numerator_layout(dxdy.ones(4, 2, 3), y_ndim=1, x_ndim=2).shape
    dxdy.Size([4, 3, 2])
    """
    if y_ndim > 2 or x_ndim > 2:
        raise ValueError(f"numerator layout covers scalars, vectors and matrices, but y has {y_ndim} "
                         f"dimensions and x has {x_ndim}")
    if x_ndim == 2:
        return j.transpose(-2, -1)
    if y_ndim == 0 and x_ndim == 1:
        return j.reshape(1, -1)
    if y_ndim == 1 and x_ndim == 0:
        return j.reshape(-1, 1)
    return j


def graph_lines(root, names=None):
    """The backward graph below `root` (a grad_fn) as the lines of a text tree.

    Each node's children are its `next_functions`; a leaf shows as AccumulateGrad,
    named when `names` maps a name to that leaf tensor; an input that needs no
    gradient shows as None. A node reached a second time is not expanded again.
    Works on PyTorch's grad_fn objects too.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> print("\\n".join(graph_lines((x * 2).sum().grad_fn, {"x": x})))
    SumBackward0
    └─ MulBackward0
       ├─ AccumulateGrad (x)
       └─ None
    """
    names = names or {}
    lines, expanded = [], {}  # id -> node, holding the node so that its id stays its own
    stack = [(root, None, "")]  # (node, is_last_child or None for the root, prefix of its line)
    while stack:
        node, last, prefix = stack.pop()
        branch = "" if last is None else ("└─ " if last else "├─ ")
        children = node.next_functions if node is not None else ()
        seen = id(node) in expanded
        lines.append(prefix + branch + _node_label(node, names) + ("  (shown above)" if seen and children else ""))
        if seen or not children:
            continue
        expanded[id(node)] = node
        child_prefix = prefix + ("" if last is None else ("   " if last else "│  "))
        for i in reversed(range(len(children))):
            stack.append((children[i][0], i == len(children) - 1, child_prefix))
    return lines


def _node_label(node, names):
    if node is None:
        return "None"
    label = type(node).__name__
    variable = getattr(node, "variable", None)
    if variable is not None:
        name = next((k for k, v in names.items() if v is variable), None)
        label += f" ({name})" if name else f" (leaf of shape {tuple(variable.shape)})"
    return label


# ── the report: printing and keeping score ──────────────────────────────────

_ASCII = str.maketrans({"✓": "+", "✗": "x", "─": "-", "═": "=", "│": "|", "├": "+", "└": "`", "–": "-"})


def fit(text, stream):
    """`text`, with ASCII stand-ins for its marks and box lines where `stream` cannot encode them.

    >>> fit("✓ done", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    '+ done'
    """
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        return text.translate(_ASCII).encode(encoding, "replace").decode(encoding)


class Report:
    """Writes the tour to `out` and counts its checks."""

    def __init__(self, out):
        self.out = out
        self.passed = 0
        self.failed = 0

    def say(self, text=""):
        print(fit(text, self.out), file=self.out)

    def heading(self, title):
        self.say()
        self.say(title)
        self.say("─" * len(title))

    def block(self, text, indent="    "):
        for line in text.rstrip("\n").split("\n"):
            self.say((indent + line).rstrip())

    def check(self, claim, got, want):
        """Print ✓ when tensor `got` has the shape and values of `want`, ✗ with both otherwise."""
        ok = _same(got, want)
        self.record(ok, claim)
        if not ok:
            self.block(f"got  {got}\nwant {want}", indent="      ")
        return ok

    def record(self, ok, claim):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self.say(f"  {'✓' if ok else '✗'} {claim}")


def _same(got, want):
    if not (isinstance(got, dxdy.Tensor) and isinstance(want, dxdy.Tensor)):
        return False
    a, b = got.detach().numpy(), want.detach().numpy()
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))


def run_listing(number):
    """Run one tutorial listing with dxdy as torch; return (what it printed, its variables)."""
    namespace = {"__name__": f"listing{number}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(LISTINGS[number], f"listing{number}.py", "exec"), namespace)
    return printed.getvalue(), namespace


def _show_listing(report, number):
    output, namespace = run_listing(number)
    report.say(f"  listing{number}.py:")
    report.block(LISTINGS[number])
    report.say("  prints:")
    report.block(output)
    return namespace


def _grid(j, row, col):
    """A 2-D tensor as a table with labelled rows and columns (row[0], col[0], ...)."""
    values = j.detach().tolist()
    cells = [[f"{v:g}" for v in r] for r in values]
    width = max([len(c) for r in cells for c in r] + [len(col) + 3])
    lines = [" " * (len(row) + 3) + "".join(f"{f'{col}[{i}]':>{width + 2}}" for i in range(len(values[0])))]
    lines += [f"{row}[{i}]" + "".join(f"{c:>{width + 2}}" for c in r) for i, r in enumerate(cells)]
    return "\n".join(lines)


# ── the sections ─────────────────────────────────────────────────────────────

_SIZES = {"m": 4, "l": 5, "n": 2, "k": 3, "1": 1}
_Y_SHAPES = {"scalar y": "", "vector y": "m", "matrix Y": "ml"}
_X_SHAPES = {"scalar x": "", "vector x": "n", "matrix X": "nk"}
_TABLE = {  # LAYOUT_TABLE as data: (y, x) -> the symbols of dy/dx's shape
    ("scalar y", "scalar x"): "", ("scalar y", "vector x"): "1n", ("scalar y", "matrix X"): "kn",
    ("vector y", "scalar x"): "m1", ("vector y", "vector x"): "mn", ("vector y", "matrix X"): "mkn",
    ("matrix Y", "scalar x"): "ml", ("matrix Y", "vector x"): "mln", ("matrix Y", "matrix X"): "mlkn",
}


def _sized(symbols):
    return tuple(_SIZES[s] for s in symbols)


def _layout_mismatches():
    """The cells of the table where dxdy's Jacobian, in numerator layout, has another shape."""
    wrong = []
    for (ykind, xkind), want in _TABLE.items():
        x = dxdy.ones(_sized(_X_SHAPES[xkind]), requires_grad=True)
        y_shape = _sized(_Y_SHAPES[ykind])
        c = dxdy.arange(1.0, 1.0 + math.prod(y_shape)).reshape(y_shape)
        y = c * (x * x).sum()  # every element of y depends on every element of x
        if tuple(numerator_layout(jacobian(y, x), y.ndim, x.ndim).shape) != _sized(want):
            wrong.append(f"{ykind} by {xkind}")
    return wrong


def section_layout(report):
    report.heading("1  The shape of a derivative")
    report.say("In numerator layout, dy/dx has y down the side and x across the top:")
    report.say()
    report.say(LAYOUT_TABLE)
    report.say()
    report.say("PyTorch itself stores the derivative of a scalar by x in x.grad, shaped like x")
    report.say("(the transpose of the (1,n) row): ready to subtract from x in a gradient step.")
    report.say()
    wrong = _layout_mismatches()
    report.record(not wrong, "dxdy's Jacobians, in numerator layout, have the shapes of the table "
                             "(m=4, l=5, n=2, k=3)" + (": not " + "; ".join(wrong) if wrong else ""))


def section_listing1(report):
    report.heading("2  Listing 1: backward() on a scalar")
    ns = _show_listing(report, 1)
    x, y = ns["x"], ns["y"]
    n = x.numel()
    report.say()
    report.say("z = 2<x,y> is a scalar, so z.backward() needs no argument. It starts at z with")
    report.say("dz/dz = 1, walks the graph back to the leaves, multiplying by each op's local")
    report.say("derivative (the chain rule), and adds the result into .grad of every leaf that")
    report.say("requires grad. The graph it walks:")
    report.say()
    report.block("\n".join(graph_lines((2 * dxdy.dot(x, y)).grad_fn, {"x": x, "y": y})))
    report.say()
    report.say(f"dz/dx is a (1,{n}) row in numerator layout; x.grad holds it in x's shape {tuple(x.shape)}.")
    report.say(".grad accumulates over backward calls: hence y.grad.zero_() before the second one.")
    report.say()
    report.check("x.grad = 2y, since d(2<x,y>)/dx = 2y", x.grad, 2 * y.detach())
    report.check("y.grad = ones after y.sum().backward()", y.grad, dxdy.ones_like(y))


def section_identities(report):
    report.heading("3  Three identities, checked on fresh inputs")
    x = dxdy.tensor([1.0, 2.0, 3.0])
    w = dxdy.tensor([0.5, -1.0, 2.0], requires_grad=True)
    dxdy.dot(x, w).backward()
    report.check("d<x,w>/dw = x          (w.grad after dot(x, w).backward())", w.grad, x)

    big_x = dxdy.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = dxdy.tensor([1.0, -1.0], requires_grad=True)
    j = jacobian(big_x @ w, w)
    report.check(f"d(Xw)/dw = X           (the {tuple(j.shape)} Jacobian of X @ w, one backward per row)", j, big_x)

    x = dxdy.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x.sum().backward()
    report.check("d(x.sum())/dx = ones   (a vector of ones shaped like x)", x.grad, dxdy.ones_like(x))


def section_listing2(report):
    report.heading("4  Listing 2: a vector z, summed to a scalar")
    ns = _show_listing(report, 2)
    report.say()
    report.say("z = x*y is a vector; backward() with no argument needs a scalar: z.sum(). Each z_i")
    report.say("depends on x_i alone, so d(z.sum())/dx_i = y_i.")
    report.say()
    report.check("x.grad = y", ns["x"].grad, ns["y"].detach())


def section_listing3(report):
    report.heading("5  Listing 3: backward(gradient=v) is a vector–Jacobian product")
    ns = _show_listing(report, 3)
    x, y = ns["x"], ns["y"]
    z = x * y
    j = numerator_layout(jacobian(z, x), z.ndim, x.ndim)
    report.say()
    report.say("For a vector z, z.backward(v) takes a v shaped like z and computes v^T J, where")
    report.say(f"J = dz/dx is {tuple(j.shape)} in numerator layout. For z = x*y, J = diag(y).")
    report.say("dxdy builds J one row at a time: row i is e_i^T J, from autograd.grad(z, x,")
    report.say("grad_outputs=e_i, retain_graph=True) with a one-hot e_i:")
    report.say()
    report.block(_grid(j, "z", "x"))
    report.say()
    report.check("J = diag(y)", j, dxdy.diag(y.detach()))
    for label, v in (("ones", dxdy.ones_like(z)), ("[2,3,4,5]", dxdy.tensor([2.0, 3.0, 4.0, 5.0], dtype=z.dtype))):
        x.grad = None
        z.backward(v, retain_graph=True)
        report.say()
        report.say(f"  v = {label}:")
        report.say(f"    v^T J                       = {v @ j}")
        report.say(f"    x.grad after z.backward(v)  = {x.grad}")
        report.check(f"v^T J = x.grad for v = {label}", v @ j, x.grad)
    report.say()
    (by_sum,) = dxdy.autograd.grad(z.sum(), x, retain_graph=True)
    (by_ones,) = dxdy.autograd.grad(z, x, grad_outputs=dxdy.ones_like(z))
    report.check("z.sum().backward() gives what z.backward(ones_like(z)) gives", by_sum, by_ones)


SECTIONS = (section_layout, section_listing1, section_identities, section_listing2, section_listing3)


def tour(out=None):
    """Run the tour, writing to `out` (default stdout); return 0 when every check passes, else 1.

    >>> tour()  # doctest: +SKIP
    dxdy tour: derivatives and backward(), live
    ...
    """
    report = Report(out if out is not None else sys.stdout)
    title = "dxdy tour: derivatives and backward(), live"
    report.say(title)
    report.say("═" * len(title))
    report.say("The tutorial's three listings run here with `import dxdy as torch`. Every number")
    report.say("below is computed now, and each ✓ marks a claim of the text that dxdy just checked.")
    for section in SECTIONS:
        try:
            section(report)
        except Exception as e:  # a broken section is a failed check, and the tour goes on
            report.record(False, f"{section.__name__} stopped: {type(e).__name__}: {e}")
    report.heading("Summary")
    total = report.passed + report.failed
    if report.failed:
        report.say(f"  ✗ {report.failed} of {total} checks failed.")
    else:
        report.say(f"  ✓ All {total} checks passed.")
    return 1 if report.failed else 0
