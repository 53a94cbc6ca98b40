"""The command line's expressions run in a closed world (dxdy._safe_eval), not through Python's eval.

Hostile expressions end with exit status 2, one line on stderr, no traceback and no
side effect; every expression the README, the command line's own help and the tour
use still gives what Python's eval gave before.
"""
import ast
import contextlib
import io
import os
import pathlib
import re
import resource
import shlex
import subprocess
import sys

import pytest

import dxdy
import dxdy.__main__ as cli
from dxdy import _safe_eval, tour

ROOT = pathlib.Path(__file__).parent.parent


def run_main(*argv):
    """Run the command line in this process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(list(argv), out=out)
    return status, out.getvalue(), err.getvalue()


def run_module(*args):
    env = dict(os.environ, PYTHONIOENCODING="utf-8",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "dxdy", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def eval_in_python(expr, x):
    """The command line's evaluator before dxdy._safe_eval (Python's eval, no builtins), with float, int, bool."""
    scope = {"__builtins__": {}, "torch": dxdy, "dxdy": dxdy, "float": float, "int": int, "bool": bool, "x": x}
    out = eval(compile(expr, "<expression>", "eval"), scope)
    if not isinstance(out, dxdy.Tensor):
        raise cli.UsageError(f"{expr!r} gives a {type(out).__name__}, not a tensor")
    return out


# ── hostile expressions ──────────────────────────────────────────────────────

# (expression, what the one-line message says); {marker} is a file the expression would create
HOSTILE = [
    # the example: a chain of attributes from dxdy into sys and os
    ("torch.ops.elementwise.sys.modules['os'].system('touch {marker}') + (x**2).sum()", "'ops' is not public API"),
    ("torch.np.save('{marker}', x.detach().numpy())", "'np' is not public API of dxdy"),
    ("torch.autograd.np", "'np' is not public API of dxdy.autograd"),
    ("torch.autograd.engine", "'engine' is not public API of dxdy.autograd"),
    ("torch.autograd.function.functools", "'functools' is not public API"),
    ("torch.nn.functional.np", "'np' is not public API of dxdy.nn.functional"),
    ("torch.creation", "'creation' is not public API of dxdy"),
    ("torch.printing", "'printing' is not public API of dxdy"),
    ("torch.float32.np.type", "'type' is not public API"),
    ("x.detach().numpy().tofile('{marker}')", "'tofile' is not public API of a ndarray"),
    ("(x * 2).grad_fn.rules", "'rules' is not public API of a MulBackward0"),
    ("torch.Tensor.mro()", "'mro' is not public API"),
    # dxdy's own functions that change the process's settings or would touch files
    ("torch.manual_seed(0) + x.sum()", "may not touch files or change the process's settings"),
    ("torch.set_default_dtype(torch.float64)", "may not touch files or change the process's settings"),
    ("torch.set_printoptions(precision=1)", "may not touch files or change the process's settings"),
    ("torch.autograd.set_detect_anomaly(True)", "may not touch files or change the process's settings"),
    # private names and dunders
    ("x.__class__", "double underscores"),
    ("x.grad_fn.__class__", "double underscores"),
    ("(x * 2).grad_fn.next_functions[0][0].__class__", "double underscores"),
    ("x.__class__.__mro__[1].__subclasses__()", "double underscores"),
    ("x.sum.__globals__", "double underscores"),
    ("torch.sin.__globals__['sys'].modules['os'].system('touch {marker}')", "double underscores"),
    ("torch.nn.functional.__getattr__('np')", "double underscores"),
    ("torch.__dict__", "double underscores"),
    ("torch._ops", "start with an underscore"),
    ("x._data", "start with an underscore"),
    # names outside the closed world: builtins
    ("__import__('os').system('touch {marker}')", "NameError: name '__import__'"),
    ("getattr(x, '__class__')", "NameError: name 'getattr'"),
    ("eval('1')", "NameError: name 'eval'"),
    ("exec('open(\"{marker}\", \"w\")')", "NameError: name 'exec'"),
    ("open('{marker}', 'w')", "NameError: name 'open'"),
    ("globals()", "NameError: name 'globals'"),
    ("vars(torch)", "NameError: name 'vars'"),
    ("type(x)", "NameError: name 'type'"),
    ("x.register_hook(print)", "NameError: name 'print'"),
    # syntax outside the closed world
    ("lambda: x", "lambda is not allowed"),
    ("(lambda: x)()", "lambda is not allowed"),
    ("torch.stack([v for v in x]).sum()", "a list comprehension is not allowed"),
    ("{v: 1 for v in x}", "a dict comprehension is not allowed"),
    ("{v for v in x}", "a set comprehension is not allowed"),
    ("torch.stack(v for v in x)", "a generator expression is not allowed"),
    ("f'{x.__class__}'", "an f-string is not allowed"),
    ("x.sum() if x else x", "a conditional expression"),
    ("{'a': x}", "a dict is not allowed"),
    ("{x}", "a set is not allowed"),
    ("torch.stack([*x]).sum()", "unpacking with * is not allowed"),
    ("torch.add(**{'input': x, 'other': x})", "unpacking with ** is not allowed"),
    ("b'abc'", "bytes literals are not allowed"),
    ("(torch := x)", "(torch := ...) is not allowed"),
    ("(x := 1)", "(x := ...) is not allowed"),
    ("(_y := x)", "(_y := ...) is not allowed"),
    ("(e := torch.np)", "'np' is not public API"),
    # strings take no arithmetic (%-formatting could build a huge string)
    ("'%0999999999d' % 1", "strings take no arithmetic"),
    ("'a' * 10**9", "strings take no arithmetic"),
    # huge ints, before they are computed
    ("10**10**10", "larger than 2**63"),
    ("x ** 10**30", "larger than 2**63"),
    ("1 << 10**9", "larger than 2**63"),
    ("2 ** 64 * x", "larger than 2**63"),
    ("999999999999999999999999 * x", "integers must lie within ±2**63"),
    # huge values: lists before they are built, tensors when made or by the memory cap
    ("[0] * 10**9", "more than 10,000,000 elements"),
    ("torch.tensor([x] * 10**8)", "more than 10,000,000 elements"),
    ("torch.ones(1).expand(10**5, 10**5).sum()", "has 10,000,000,000 elements"),
    ("torch.ones(4000, 4000)", "has 16,000,000 elements"),
    ("torch.ones(10**10)", "needs more memory than"),
    ("torch.zeros(10**5, 10**5)", "needs more memory than"),
    ("x.repeat(10**5, 10**5)", "needs more memory than"),
    ("torch.ones(3000).repeat(3000, 3000)", "needs more memory than"),
    ("torch.arange(0, 1, 1e-10)", "needs more memory than"),
    ("torch.tensor([10**10]).bincount()", "needs more memory than"),
    # long and deep
    ("x" + " + x" * 300, "1201 characters; at most 1000"),
    ("+" * 150 + "x", "nests more than 100 levels"),
    ("+(" * 120 + "x" + ")" * 120, "nests more than 100 levels"),
    ("(" * 300 + "x" + ")" * 300, "is not an expression"),
]


@pytest.mark.parametrize("expr, message", HOSTILE, ids=[e[:60] for e, _ in HOSTILE])
def test_hostile_expression_is_one_line_status_2_and_no_side_effect(expr, message, tmp_path):
    if "needs more memory" in message and sys.platform != "linux":
        message = ""  # elsewhere NumPy's own MemoryError (or the size check) stops it
    marker = tmp_path / "marker"
    status, out, err = run_main("grad", expr.replace("{marker}", str(marker)), "--at", "1,2")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("python -m dxdy grad: error: ") and "Traceback" not in err
    assert message in err, err
    assert not marker.exists()


@pytest.mark.parametrize("expr", [HOSTILE[0][0], "__import__('os').system('touch {marker}')",
                                  "torch.ones(10**10).sum()"])
def test_hostile_expression_in_a_real_process(expr, tmp_path):
    marker = tmp_path / "marker"
    done = run_module("grad", expr.replace("{marker}", str(marker)), "--at", "1,2")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not marker.exists()


def test_the_memory_cap_is_lifted_after_the_expression():
    limit = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(_safe_eval.NotAllowed, match="needs more memory"):
        _safe_eval.evaluate("torch.ones(10**10)", {})
    assert resource.getrlimit(resource.RLIMIT_AS) == limit
    assert dxdy.empty(_safe_eval.MEMORY + 2 ** 30, dtype=dxdy.int8).numel()  # mapped, never touched


def test_jacobian_refuses_a_jacobian_too_big_to_build():
    status, out, err = run_main("jacobian", "x.expand(20000, 2)", "--at", "1,2")
    assert status == 2 and "40,000 backward passes" in err and err.count("\n") == 1


def test_an_error_raised_by_dxdy_is_one_line():
    status, out, err = run_main("grad", "x.reshape(3)", "--at", "1,2")
    assert status == 2 and "failed: RuntimeError: shape '[3]' is invalid" in err and err.count("\n") == 1


# ── what keeps working, as before ────────────────────────────────────────────

def documented_commands():
    """Every `python -m dxdy grad|jacobian|graph "EXPR" ...` in the README, the module docstring and --help."""
    texts = [(ROOT / "README.md").read_text(), cli.__doc__, cli.build_parser().epilog]
    found = set()
    for text in texts:
        for line in re.findall(r"python -m dxdy ((?:grad|jacobian|graph) [^\n`]*)", text):
            argv = shlex.split(line)
            if "<" not in argv[1]:  # not a placeholder like "<expr in x>"
                found.add(tuple(argv))
    return sorted(found)


ALLOWED = [  # (command, expression, point): each kind of thing an expression may use
    ("grad", "torch.einsum('i,i->', x, x)", "1,2"),
    ("grad", "torch.nn.functional.mse_loss(x, torch.zeros(2), reduction='sum')", "1,2"),
    ("grad", "torch.nn.functional.softmax(x, dim=0)[0]", "1,2"),
    ("grad", "torch.linalg.vector_norm(x, ord=3) + torch.linalg.norm(x)", "1,2"),
    ("grad", "torch.linalg.det(x)", "1,2;3,4"),
    ("grad", "(x.T @ x).trace()", "1,2;3,4"),
    ("grad", "x.to(torch.float64).sum() + torch.tensor([1, 2], dtype=float) @ x.double()", "1,2"),
    ("grad", "torch.where(x > 1.5, x, 0 * x).sum()", "1,2"),
    ("grad", "torch.max(x, 0).values * 2 + torch.sort(x).indices[0]", "1,2"),
    ("grad", "x.shape[0] * x.sum() + x.shape.numel() * x.mean() + x.ndim", "1,2"),
    ("grad", "torch.finfo(x.dtype).eps * x.sum() + x.dtype.is_floating_point", "1,2"),
    ("grad", "torch.clamp(x, min=1.5, max=None).sum() + torch.sigmoid(x).prod()", "1,2"),
    ("grad", "((e := x.exp()) * e).sum() - e.mean()", "1,2"),
    ("grad", "-x.sum() ** 2 % 7 + x.sum().detach() // 1 + 7 // 2 + 2 ** 10 / x.sum() - (3 << 2) * x.sum()", "1,2"),
    ("grad", "x.sum() * ((64 >> 3) ^ 1 | 2 & 3) - x @ x", "1,2"),
    ("grad", "not False and x.sum() or x.mean()", "1,2"),
    ("grad", "(1 < 2 < 3) * x.sum() + (x.ndim == 1 != 2) * x.mean() + (None is None) + (1 in [1, 2])", "1,2"),
    ("grad", "torch.autograd.grad((x ** 3).sum(), x, create_graph=True)[0].sum()", "1,2"),
    ("grad", "torch.stack([x, x ** 2]).sum() + torch.cat((x, x)).prod()", "1,2"),
    ("grad", "x[1:].sum() - x[-1] + x[..., 0] + x[None, :].sum() + x[0:2:1].mean()", "1,2,3"),
    ("grad", "int(x.sum()) * x.sum() + float(x[0]) + bool(x[0]) + (x ** 10**9).sum()", "1,-1"),
    ("grad", "x.new_ones(3).sum() * x.sum() + torch.ones(4000, 10).sum() + ~7 + +x[0]", "1,2"),
    ("jacobian", "x[:, None] * x[None, :]", "1,2"),
    ("jacobian", "(x > 0).float() * x + ~(x > 1) * 1.5 + ((x > 0) & (x < 2) | (x > 5) ^ (x < 0))", "-1,1,3"),
    ("jacobian", "torch.nn.functional.relu(x) + torch.nn.functional.linear(x, torch.eye(2))", "-1,2"),
    ("graph", "torch.autograd.Function is not None and (x * 2).grad_fn.next_functions[0][0].variable.sum()",
     "1,2"),
]


@pytest.mark.parametrize("argv", documented_commands() + [(c, e, "--at", a) for c, e, a in ALLOWED],
                         ids=lambda argv: " ".join(argv)[:70])
def test_allowed_expression_prints_what_python_eval_prints(argv, monkeypatch):
    got = run_main(*argv)
    monkeypatch.setattr(cli, "evaluate", eval_in_python)
    want = run_main(*argv)
    assert got == want and got[0] == 0, got[2]


def test_the_documented_commands_are_found():
    commands = {argv[1] for argv in documented_commands()}
    assert {"(x**2).sum()", "x * x.sum()", "torch.sin(x).sum() * x[0]"} <= commands


def _run_listing_safely(source):
    """Run a tour listing statement by statement, each expression through the safe evaluator.

    The test itself does only what the evaluator refuses on purpose: assignment,
    print, and joining an f-string's pieces (each field is an expression it evaluates).
    """
    names, printed = {}, []

    def value(node):
        if isinstance(node, ast.JoinedStr):
            assert all(p.conversion == -1 and p.format_spec is None for p in node.values
                       if isinstance(p, ast.FormattedValue))
            return "".join(p.value if isinstance(p, ast.Constant) else str(value(p.value)) for p in node.values)
        return _safe_eval.evaluate(ast.unparse(node), names)

    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Import):
            continue
        if isinstance(statement, ast.Assign):
            (target,) = statement.targets
            names[target.id] = value(statement.value)
        elif isinstance(statement.value, ast.Call) and getattr(statement.value.func, "id", None) == "print":
            printed.append(" ".join(str(value(a)) for a in statement.value.args) + "\n")
        else:
            value(statement.value)
    return "".join(printed)


@pytest.mark.parametrize("number", sorted(tour.LISTINGS))
def test_the_tours_listings_print_the_same_through_the_safe_evaluator(number):
    printed, _ = tour.run_listing(number)
    assert _run_listing_safely(tour.LISTINGS[number]) == printed


def test_the_tour_still_passes():
    out = io.StringIO()
    assert cli.main(["tour"], out=out) == 0 and "checks passed" in out.getvalue()
