"""The command line: `python -m dxdy tour | grad | jacobian | graph | explain` (also installed as `dxdy`).

    python -m dxdy tour
    python -m dxdy grad "(x**2).sum()" --at 1,2,3
    python -m dxdy jacobian "x * x.sum()" --at 1,2
    python -m dxdy graph "torch.sin(x).sum() * x[0]" --at 1,2
    python -m dxdy graph "torch.sin(x).sum() * x[0]" --at 1,2 --dot
    python -m dxdy explain "x * y" --at x=1,2,3,4 --at y=3,4,5,6 --gradient 2,3,4,5

An expression is evaluated by dxdy._safe_eval, not by Python's eval: it sees `x`,
`torch` and `dxdy` (both names for dxdy), the public API of dxdy and of tensors,
and nothing else; its size is limited (see that module).
"""
import argparse
import sys

import dxdy
from dxdy import _safe_eval
from dxdy import tour as _tour

_DTYPES = {"float32": dxdy.float32, "float64": dxdy.float64}
_JACOBIAN_ROWS = 10_000  # jacobian runs one backward pass per element of y


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


# ── expressions and points ───────────────────────────────────────────────────

def parse_point(text, dtype=dxdy.float32):
    """The point `--at` names, as a leaf tensor that requires grad.

    "2" is a scalar, "1,2,3" a vector, and "1,2;3,4" a matrix (rows split by ';').

    >>> parse_point("1,2;3,4")
    tensor([[1., 2.],
            [3., 4.]], requires_grad=True)
    """
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise UsageError(f"--at {text!r}: expected numbers like 2, 1,2,3 or 1,2;3,4") from None
    if len({len(r) for r in rows}) != 1:
        raise UsageError(f"--at {text!r}: the rows of a matrix must have the same length")
    if ";" in text:
        data = rows
    elif "," in text:
        data = rows[0]
    else:
        data = rows[0][0]
    return dxdy.tensor(data, dtype=dtype, requires_grad=True)


def evaluate(expr, x):
    """Evaluate `expr` with `x` in scope (or a dict of named points), by the rules of dxdy._safe_eval; return a tensor.

    >>> evaluate("(x ** 2).sum()", dxdy.tensor([1.0, 2.0], requires_grad=True))
    tensor(5., grad_fn=<SumBackward0>)
    """
    try:
        out = _safe_eval.evaluate(expr, x if isinstance(x, dict) else {"x": x})
    except _safe_eval.NotAllowed as e:
        raise UsageError(str(e)) from None
    except Exception as e:
        raise UsageError(_one_line(f"{expr!r} failed: {type(e).__name__}: {e}")) from None
    if not isinstance(out, dxdy.Tensor):
        raise UsageError(f"{expr!r} gives a {type(out).__name__}, not a tensor")
    return out


# What a point's value may call by its bare name, beside the numbers parse_point reads: `--at x=arange(4.)`
_POINT_FUNCTIONS = ("arange", "linspace", "ones", "zeros", "eye", "full", "tensor")


def parse_value(text, dtype=dxdy.float32):
    """A point or gradient: numbers as parse_point reads them, or an expression such as arange(4.) or [3,1,2,5].

    >>> parse_value("[3, 1, 2, 5]")
    tensor([3., 1., 2., 5.], requires_grad=True)
    """
    try:
        return parse_point(text, dtype)
    except UsageError as e:
        numbers_error = e
    try:
        value = _safe_eval.evaluate(text, {name: getattr(dxdy, name) for name in _POINT_FUNCTIONS})
        return dxdy.as_tensor(value, dtype=dtype).detach().requires_grad_()
    except _safe_eval.NotAllowed as e:
        raise UsageError(f"{numbers_error}, or an expression: {e}") from None
    except Exception as e:
        raise UsageError(_one_line(f"{text!r} failed: {type(e).__name__}: {e}")) from None


def parse_named_points(texts, dtype=dxdy.float32):
    """The points of `--at NAME=VALUE ...` as a dict name -> leaf tensor; a VALUE alone names x."""
    points = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip() if sep else "x"
        if not name.isidentifier() or name.startswith("_") or name in ("torch", "dxdy", *_safe_eval.TYPE_NAMES):
            raise UsageError(f"--at {text!r}: {name!r} cannot name a point; write NAME=VALUE, e.g. x=1,2,3")
        if name in points:
            raise UsageError(f"--at {text!r}: {name} is given twice")
        points[name] = parse_value(value if sep else text, dtype)
    return points


def _one_line(text):
    return " ".join(text.split())


# ── the commands ─────────────────────────────────────────────────────────────

def cmd_tour(args, out):
    return _tour.tour(out)


def cmd_grad(args, out):
    """Value and gradient of a scalar expression."""
    x = parse_point(args.at, _DTYPES[args.dtype])
    f = evaluate(args.expr, x)
    if f.numel() != 1:
        raise UsageError(f"grad needs a scalar, but {args.expr!r} has shape {tuple(f.shape)}: "
                         f"try `jacobian`, or sum it: ({args.expr}).sum()")
    if f.requires_grad:
        (g,) = dxdy.autograd.grad(f, x, materialize_grads=True)
    else:  # f does not depend on x
        g = dxdy.zeros_like(x)
    _print_rows(out, [("f(x)", args.expr), ("x", x), ("f", f), ("df/dx", g)])
    return 0


def cmd_jacobian(args, out):
    """The Jacobian of an expression, in numerator layout (or PyTorch's)."""
    x = parse_point(args.at, _DTYPES[args.dtype])
    y = evaluate(args.expr, x)
    if y.numel() > _JACOBIAN_ROWS or y.numel() * x.numel() > _safe_eval.MAX_ELEMENTS:
        raise UsageError(f"the Jacobian of {args.expr!r} would take {y.numel():,} backward passes and have "
                         f"{y.numel() * x.numel():,} elements; jacobian allows at most {_JACOBIAN_ROWS:,} "
                         f"and {_safe_eval.MAX_ELEMENTS:,}")
    j = _tour.jacobian(y, x)
    if args.layout == "numerator":
        try:
            j = _tour.numerator_layout(j, y.ndim, x.ndim)
        except ValueError as e:
            raise UsageError(f"{e}; --layout torch gives PyTorch's layout") from None
        how = "numerator layout: y down the side, x across the top"
    else:
        how = "PyTorch's layout: y's shape, then x's shape"
    _print_rows(out, [("y(x)", args.expr), ("x", x), ("y", y)])
    print(f"dy/dx, in {how}; shape {tuple(j.shape)}:", file=out)
    print(j, file=out)
    return 0


def cmd_graph(args, out):
    """The backward graph of an expression, as a tree of grad_fn nodes, or drawn by dxdy.viz."""
    x = parse_point(args.at, _DTYPES[args.dtype])
    y = evaluate(args.expr, x)
    if args.dot or args.output or args.saved or args.values:
        return _draw_graph(args, x, y, out)
    _print_rows(out, [("y(x)", args.expr), ("x", x), ("y", y)])
    if y.grad_fn is None:
        note = "y is the leaf x itself" if y is x else "y does not depend on x"
        print(f"No backward graph: {note}.", file=out)
        return 0
    print("Backward graph (each node's next_functions below it; leaves accumulate into .grad):", file=out)
    for line in _tour.graph_lines(y.grad_fn, {"x": x}):
        print(_tour.fit(line, out), file=out)
    return 0


def cmd_explain(args, out):
    """The backward pass of an expression, node by node (dxdy.explain)."""
    points = parse_named_points(args.at, _DTYPES[args.dtype])
    y = evaluate(args.expr, points)
    gradient = None
    if args.gradient is not None:
        gradient = parse_value(args.gradient, y.dtype if y.is_floating_point() else _DTYPES[args.dtype]).detach()
        if gradient.numel() == y.numel():  # "1,2;3,4" or "1,2,3,4" for a (2, 2) y
            gradient = gradient.reshape(y.shape)
    elif y.numel() != 1:
        raise UsageError(f"{args.expr!r} has shape {tuple(y.shape)}: give --gradient v of that shape "
                         f"(backward computes vᵀJ), or sum it: ({args.expr}).sum()")
    if not y.requires_grad:
        raise UsageError(f"{args.expr!r} does not depend on {', '.join(points)}: there is no backward pass")
    try:
        report = dxdy.explain(y, gradient, inputs=points)
    except RuntimeError as e:
        raise UsageError(_one_line(str(e).split("\n")[0])) from None
    _print_rows(out, [("expression", args.expr), *points.items()])
    print(report, file=out)
    return 0


def _draw_graph(args, x, y, out):
    """`graph --dot` prints dxdy.viz.graph's Graphviz DOT text; `graph -o FILE` writes it drawn (.svg, .png, ...)."""
    from dxdy import viz
    drawing = viz.graph(y, params={"x": x}, show_saved=args.saved, show_values=args.values)
    if args.dot or not args.output:
        print(drawing.source, end="", file=out)
    if args.output:  # the command line's own file, named by the user; the expression itself touches none
        try:
            drawing.render(args.output)
        except (viz.GraphvizNotFound, ValueError, OSError, RuntimeError) as e:
            raise UsageError(_one_line(f"-o {args.output}: {e}")) from None
        else:
            print(f"Wrote the backward graph of {args.expr!r} to {args.output}", file=out)
    return 0


def _print_rows(out, rows):
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        text = str(value).replace("\n", "\n" + " " * (width + 3))
        print(f"{name:<{width}} = {text}", file=out)


# ── argument parsing ─────────────────────────────────────────────────────────

def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m dxdy", description="dxdy: PyTorch's autograd in pure Python on NumPy.",
        epilog='Example: python -m dxdy grad "(x**2).sum()" --at 1,2,3')
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("tour", help="run the tutorial live, explained and checked (exit status 1 if a check fails)",
                        description="Run the tutorial's listings with dxdy, explain them, check the identities.")
    for name, help_ in (("grad", "value and gradient of a scalar expression in x"),
                        ("jacobian", "Jacobian of an expression in x (numerator layout by default)"),
                        ("graph", "backward graph of an expression in x, as a tree of grad_fn nodes "
                                  "(--dot: as Graphviz DOT; -o FILE: drawn)")):
        sub = commands.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".",
                                  epilog="The expression sees x, torch and dxdy (both dxdy): their public API, calls, "
                                         "operators, indexing and literals; nothing else.")
        sub.add_argument("expr", help='an expression in x, e.g. "(x**2).sum()"')
        sub.add_argument("--at", required=True, metavar="POINT",
                         help="the value of x: 2 (scalar), 1,2,3 (vector) or '1,2;3,4' (matrix)")
        sub.add_argument("--dtype", choices=sorted(_DTYPES), default="float32", help="dtype of x (default float32)")
        if name == "graph":
            sub.add_argument("-o", "--output", metavar="FILE",
                             help="draw the graph to FILE, as its suffix says: .svg, .png, .pdf (with Graphviz's "
                                  "dot program) or .dot")
            sub.add_argument("--dot", action="store_true", help="print the graph as Graphviz DOT text")
            sub.add_argument("--saved", action="store_true", help="show what each node saved (--dot unless -o)")
            sub.add_argument("--values", action="store_true", help="show the tensors' values (--dot unless -o)")
        if name == "jacobian":
            sub.add_argument("--layout", choices=("numerator", "torch"), default="numerator",
                             help="numerator (the tutorial's, default) or torch (y's shape + x's shape)")
    explain = commands.add_parser("explain", help="the backward pass of an expression, node by node: v, J and vᵀJ",
                                  description="The backward pass of an expression, node by node: the gradient "
                                              "each node gets (v), its local Jacobian J and what it sends on (vᵀJ).",
                                  epilog="The expression sees the points named by --at, torch and dxdy (both dxdy): "
                                         "their public API, calls, operators, indexing and literals; nothing else.")
    explain.add_argument("expr", help='an expression in the points, e.g. "x * y"')
    explain.add_argument("--at", required=True, action="append", metavar="NAME=VALUE",
                         help="a point, repeated for each: x=1,2,3, y=arange(4.), w=[3,1,2,5] or m='1,2;3,4' "
                              "(a VALUE alone names x)")
    explain.add_argument("--gradient", metavar="VALUE", help="v for backward(v), shaped as the expression "
                                                              "(needed unless it is a scalar)")
    explain.add_argument("--dtype", choices=sorted(_DTYPES), default="float32", help="dtype of the points "
                                                                                    "(default float32)")
    return parser


_COMMANDS = {"tour": cmd_tour, "grad": cmd_grad, "jacobian": cmd_jacobian, "graph": cmd_graph,
             "explain": cmd_explain}


def _join_point(argv):
    """Keep `--at -1,2` (and `--gradient -1,2`) working: argparse would read "-1,2" as an option."""
    out = []
    for arg in argv:
        if out and out[-1] in ("--at", "--gradient") and arg.startswith("-"):
            out[-1] = out[-1] + "=" + arg
        else:
            out.append(arg)
    return out


def main(argv=None, out=None):
    """Run the command line with `argv` (default sys.argv[1:]); return the exit status.

    >>> main(["grad", "(x**2).sum()", "--at", "1,2"])
    f(x)  = (x**2).sum()
    x     = tensor([1., 2.], requires_grad=True)
    f     = tensor(5., grad_fn=<SumBackward0>)
    df/dx = tensor([2., 4.])
    0
    """
    out = out if out is not None else sys.stdout
    parser = build_parser()
    args = parser.parse_args(_join_point(sys.argv[1:] if argv is None else list(argv)))
    if args.command is None:
        parser.print_help(out)
        return 2
    try:
        return _COMMANDS[args.command](args, out)
    except UsageError as e:
        print(f"{parser.prog} {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
