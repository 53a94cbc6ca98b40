"""The command line: `python -m dxdy tour | grad | jacobian | graph`, checked against PyTorch."""
import importlib.metadata
import io
import os
import pathlib
import re
import subprocess
import sys
import shlex

import numpy as np
import pytest
import torch

import dxdy
import dxdy.__main__ as cli
from dxdy import tour

ROOT = pathlib.Path(__file__).parent.parent


def run_module(*args, code=None):
    """Run `python -m dxdy ARGS` (or `python -c CODE`) in a fresh interpreter; return the finished process."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "dxdy", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def run_main(*argv):
    """Run the command line in this process; return (exit status, what it printed)."""
    out = io.StringIO()
    status = cli.main(list(argv), out=out)
    return status, out.getvalue()


# ── tour ─────────────────────────────────────────────────────────────────────

CLAIMS = ["d<x,w>/dw = x", "d(Xw)/dw = X", "d(x.sum())/dx = ones", "J = diag(y)", "v^T J = x.grad for v = ones",
          "v^T J = x.grad for v = [2,3,4,5]", "x.grad = 2y", "x.grad = y",
          "have the shapes of the table"]


def test_tour_exits_0_with_every_check_passing():
    done = run_module("tour")
    assert done.returncode == 0, done.stdout + done.stderr
    *marks, summary = re.findall(r"^  ([✓✗]) (.*)$", done.stdout, re.M)
    assert len(marks) >= len(CLAIMS) and all(mark == "✓" for mark, _ in marks)
    for claim in CLAIMS:
        assert any(claim in text for _, text in marks), claim
    assert summary == ("✓", f"All {len(marks)} checks passed.")


def test_tour_shows_each_listing_and_what_pytorch_prints_for_it():
    out = io.StringIO()
    assert tour.tour(out) == 0
    text = _unindent(out.getvalue())
    for number in (1, 2, 3):
        listing = ROOT / "tests" / "tutorial" / f"listing{number}"
        source = listing.with_suffix(".py").read_text().split("\n", 1)[1]
        printed = listing.with_suffix(".expected").read_text().replace("torch.", "dxdy.")
        assert _unindent(source).strip() in text
        assert _unindent(printed).strip() in text


def test_tour_shows_the_jacobian_diag_y():
    out = io.StringIO()
    tour.tour(out)
    rows = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()
            if re.match(r"\s+z\[\d\]\s", line)}
    assert rows == {"z[0]": ["3", "0", "0", "0"], "z[1]": ["0", "4", "0", "0"],
                    "z[2]": ["0", "0", "5", "0"], "z[3]": ["0", "0", "0", "6"]}


def test_tour_fails_when_dxdy_computes_a_wrong_gradient(monkeypatch):
    monkeypatch.setattr(dxdy, "dot", lambda x, y: 3 * (x * y).sum())  # d/dw is 3x, not x
    out = io.StringIO()
    assert tour.tour(out) == 1
    text = out.getvalue()
    assert "✗ d<x,w>/dw = x" in text and "✗ x.grad = 2y" in text
    assert "✓ d(x.sum())/dx = ones" in text  # the other checks still run
    assert re.search(r"✗ 2 of \d+ checks failed\.", text)


def test_tour_fails_when_a_jacobian_is_wrong(monkeypatch):
    right = tour.jacobian
    monkeypatch.setattr(tour, "jacobian", lambda y, x: 2 * right(y, x))
    out = io.StringIO()
    assert cli.main(["tour"], out=out) == 1
    assert "✗ J = diag(y)" in out.getvalue() and "✗ d(Xw)/dw = X" in out.getvalue()


def test_tour_counts_a_section_that_raises_as_a_failure_and_goes_on(monkeypatch):
    def broken(number):
        raise RuntimeError("listing broke")
    monkeypatch.setattr(tour, "run_listing", broken)
    out = io.StringIO()
    assert tour.tour(out) == 1
    text = out.getvalue()
    assert "✗ section_listing1 stopped: RuntimeError: listing broke" in text
    assert "✓ d<x,w>/dw = x" in text


def test_tour_exit_status_is_nonzero_in_a_real_process_when_a_check_fails():
    code = ("import sys, dxdy, dxdy.__main__ as cli\n"
            "dxdy.ones_like = lambda t, **kw: dxdy.zeros_like(t, **kw)\n"
            "sys.exit(cli.main(['tour']))\n")
    done = run_module(code=code)
    assert done.returncode == 1, done.stderr
    assert "✗" in done.stdout


def test_tour_falls_back_to_ascii_where_the_terminal_cannot_show_marks():
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert tour.tour(out) == 0
    out.flush()
    text = out.buffer.getvalue().decode("ascii")
    assert "+ d<x,w>/dw = x" in text and "All " in text


# ── grad / jacobian / graph, against PyTorch ─────────────────────────────────

def torch_x(at, dtype=torch.float32):
    rows = [[float(v) for v in row.split(",")] for row in at.split(";")]
    data = rows if ";" in at else rows[0] if "," in at else rows[0][0]
    return torch.tensor(data, dtype=dtype, requires_grad=True)


def torch_eval(expr, x):
    return eval(expr, {"torch": torch, "x": x})


def printed_numbers(text, label):
    """The numbers of the tensor printed after `label =` (over as many lines as it takes)."""
    match = re.search(rf"^{re.escape(label)}\s*= (tensor\(.*?\))(?=\n\S|\n?$)", text, re.M | re.S)
    assert match, f"no {label} in:\n{text}"
    body = re.sub(r",\s*(dtype|grad_fn|requires_grad)=[^,)]*", "", match.group(1))
    return np.array([float(v) for v in re.findall(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?", body)])


def close(got, want):
    want = np.asarray(want, dtype=float).ravel()
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("expr, at", [("(x**2).sum()", "1,2,3"), ("x.exp().sum()", "0,0.5,-1"),
                                      ("2 * torch.dot(x, x.sin())", "1,2"), ("x**3", "-2"),
                                      ("torch.logsumexp(x.flatten(), 0) * x.mean()", "1,2;3,4")])
def test_grad_prints_value_and_gradient(expr, at):
    x = torch_x(at)
    f = torch_eval(expr, x)
    (g,) = torch.autograd.grad(f, x)
    status, text = run_main("grad", expr, "--at", at)
    assert status == 0
    assert close(printed_numbers(text, "f"), f.item())
    assert close(printed_numbers(text, "df/dx"), g.numpy())
    assert close(printed_numbers(text, "x"), x.detach().numpy())


def test_grad_in_float64():
    status, text = run_main("grad", "(x**2).sum()", "--at", "1,2", "--dtype", "float64")
    assert status == 0 and "dtype=dxdy.float64" in text and close(printed_numbers(text, "df/dx"), [2, 4])


def test_grad_of_an_expression_free_of_x_is_zero():
    status, text = run_main("grad", "torch.ones(()) * 2", "--at", "1,2")
    assert status == 0 and close(printed_numbers(text, "df/dx"), [0, 0])


def test_grad_refuses_a_non_scalar(capsys):
    status, text = run_main("grad", "x * 2", "--at", "1,2")
    assert status == 2 and text == ""
    assert "grad needs a scalar" in capsys.readouterr().err


# (expression, point, shape in numerator layout, PyTorch's Jacobian -> numerator layout)
JACOBIANS = [
    ("x * x.sum()", "1,2,3", (3, 3), lambda j: j),                          # vector y, vector x: (m,n)
    ("(x**3).sum()", "1,2", (1, 2), lambda j: j.reshape(1, 2)),             # scalar y, vector x: a row
    ("(x * x.exp()).sum()", "1,2,3;4,5,6", (3, 2), lambda j: j.T),          # scalar y, matrix X: (k,n)
    ("x.sin()", "0.5", (), lambda j: j),                                     # scalar y, scalar x
    ("torch.stack([x, x**2, x**3])", "2", (3, 1), lambda j: j.reshape(3, 1)),  # vector y, scalar x: a column
    ("torch.outer(x, x)", "1,2", (2, 2, 2), lambda j: j),                    # matrix Y, vector x: (m,l,n)
    ("x @ torch.tensor([1.0, -1.0])", "1,2;3,4;5,6", (3, 2, 3), lambda j: j.transpose(1, 2)),  # (m,k,n)
    ("x * 2", "1,2;3,4", (2, 2, 2, 2), lambda j: j.transpose(2, 3)),        # matrix Y, matrix X: (m,l,k,n)
]


@pytest.mark.parametrize("expr, at, shape, to_numerator", JACOBIANS, ids=[c[0] for c in JACOBIANS])
def test_jacobian_in_numerator_layout(expr, at, shape, to_numerator):
    x = torch_x(at)
    want = to_numerator(torch.autograd.functional.jacobian(lambda x: torch_eval(expr, x), x.detach()))
    assert tuple(want.shape) == shape
    status, text = run_main("jacobian", expr, "--at", at)
    assert status == 0
    assert f"shape {shape}:" in text
    j_text = "J = " + text.split(f"shape {shape}:\n", 1)[1]
    assert close(printed_numbers(j_text, "J"), want.numpy())


def test_jacobian_in_pytorchs_layout():
    at = "1,2;3,4"
    x = torch_x(at)
    want = torch.autograd.functional.jacobian(lambda x: x.t() * 3, x.detach())
    status, text = run_main("jacobian", "x.t() * 3", "--at", at, "--layout", "torch")
    assert status == 0 and "shape (2, 2, 2, 2):" in text
    assert close(printed_numbers("J = " + text.split("(2, 2, 2, 2):\n", 1)[1], "J"), want.numpy())


def test_jacobian_refuses_numerator_layout_beyond_matrices(capsys):
    assert run_main("jacobian", "x.reshape(1, 1, 2)", "--at", "1,2")[0] == 2
    assert "--layout torch" in capsys.readouterr().err


@pytest.mark.parametrize("y_kind, x_shape, y_of_x, shape", [
    ("scalar", (), lambda x: x * 3, ()), ("scalar", (2,), lambda x: x.sum(), (1, 2)),
    ("scalar", (2, 3), lambda x: x.sum(), (3, 2)), ("vector", (), lambda x: x * torch.ones(4), (4, 1)),
    ("vector", (2,), lambda x: x.sum() * torch.ones(4), (4, 2)),
    ("vector", (2, 3), lambda x: x.sum() * torch.ones(4), (4, 3, 2)),
    ("matrix", (), lambda x: x * torch.ones(4, 5), (4, 5)),
    ("matrix", (2,), lambda x: x.sum() * torch.ones(4, 5), (4, 5, 2)),
    ("matrix", (2, 3), lambda x: x.sum() * torch.ones(4, 5), (4, 5, 3, 2)),
])
def test_numerator_layout_has_the_shapes_of_the_tutorials_table(y_kind, x_shape, y_of_x, shape):
    x = torch.zeros(x_shape)
    j = torch.autograd.functional.jacobian(y_of_x, x)
    y_ndim = y_of_x(x).ndim
    assert tuple(tour.numerator_layout(dxdy.tensor(j.numpy()), y_ndim, len(x_shape)).shape) == shape


def test_numerator_layout_transposes_a_matrix_x():
    j = dxdy.arange(6.0).reshape(2, 3)  # d(scalar)/dX for X of shape (2,3), PyTorch's layout
    assert tour.numerator_layout(j, 0, 2).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_jacobian_matches_pytorch_and_is_zero_without_dependence():
    x = dxdy.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 3.0])
    want = torch.autograd.functional.jacobian(lambda t: torch.cumsum(t * t, 0), tx)
    assert np.allclose(tour.jacobian(dxdy.cumsum(x * x, 0), x).numpy(), want.numpy())
    assert tour.jacobian(dxdy.ones(2), x).tolist() == [[0.0] * 3] * 2


def graph_after_header(text):
    return text.split("leaves accumulate into .grad):\n", 1)[1].splitlines()


@pytest.mark.parametrize("expr, at", [("(x*x).exp().sum()", "1,2"), ("2 * torch.dot(x, x.sin())", "1,2"),
                                      ("torch.sin(x).sum() * x[0]", "1,2,3"), ("((e := x.exp()) * e).sum()", "1"),
                                      ("(x.t() @ x).trace() / 3", "1,2;3,4")])
def test_graph_is_pytorchs_graph(expr, at):
    x = torch_x(at)
    want = tour.graph_lines(torch_eval(expr, x).grad_fn, {"x": x})  # the same walk over PyTorch's grad_fn
    status, text = run_main("graph", expr, "--at", at)
    assert status == 0
    assert graph_after_header(text) == want


def test_graph_tree_format():
    status, text = run_main("graph", "((e := x.exp()) * e * 2).sum()", "--at", "1,2")
    assert status == 0
    assert graph_after_header(text) == [
        "SumBackward0",
        "└─ MulBackward0",
        "   ├─ MulBackward0",
        "   │  ├─ ExpBackward0",
        "   │  │  └─ AccumulateGrad (x)",
        "   │  └─ ExpBackward0  (shown above)",
        "   └─ None",
    ]


def test_graph_of_a_leaf_says_so():
    status, text = run_main("graph", "x", "--at", "1,2")
    assert status == 0 and "No backward graph: y is the leaf x itself." in text


def test_graph_names_other_leaves_by_shape():
    w = dxdy.ones(2, 3, requires_grad=True)
    assert tour.graph_lines((w * 2).grad_fn) == ["MulBackward0", "├─ AccumulateGrad (leaf of shape (2, 3))",
                                                "└─ None"]


# ── parsing, safety, entry points ────────────────────────────────────────────

@pytest.mark.parametrize("at, shape", [("2", ()), ("1,2,3", (3,)), ("1,2;3,4;5,6", (3, 2)), ("-1.5,2e-3", (2,))])
def test_points(at, shape):
    x = cli.parse_point(at)
    assert tuple(x.shape) == shape and x.requires_grad and x.dtype == dxdy.float32
    assert np.allclose(x.detach().numpy(), torch_x(at).detach().numpy())


def test_a_negative_point_after_at_is_a_value_not_an_option():
    status, text = run_main("grad", "(x**2).sum()", "--at", "-1,2")
    assert status == 0 and close(printed_numbers(text, "df/dx"), [-2, 4])


@pytest.mark.parametrize("argv, message", [
    (["grad", "x.sum()", "--at", "1,a"], "expected numbers"),
    (["grad", "x.sum()", "--at", "1,2;3"], "same length"),
    (["grad", "x +", "--at", "1"], "is not an expression"),
    (["grad", "open('/etc/passwd')", "--at", "1"], "NameError"),
    (["grad", "x.__class__", "--at", "1"], "double underscores"),
    (["grad", "len(x)", "--at", "1,2"], "NameError"),
    (["graph", "3", "--at", "1"], "not a tensor"),
    (["jacobian", "x = 1", "--at", "1"], "is not an expression"),
])
def test_bad_input_is_one_clear_line_and_status_2(argv, message, capsys):
    status, text = run_main(*argv)
    err = capsys.readouterr().err
    assert status == 2 and text == "" and message in err and err.count("\n") == 1


def test_help_lists_the_commands():
    done = run_module("--help")
    assert done.returncode == 0
    for command in ("tour", "grad", "jacobian", "graph"):
        assert re.search(rf"^\s+{command}\s", done.stdout, re.M), command


def test_no_command_prints_help_and_status_2():
    status, text = run_main()
    assert status == 2 and "tour" in text and "jacobian" in text


def test_python_dash_m_grad_in_a_real_process():
    done = run_module("grad", "(x**2).sum()", "--at", "1,2,3")
    assert done.returncode == 0, done.stderr
    assert close(printed_numbers(done.stdout, "df/dx"), [2, 4, 6])


def test_console_script_entry_is_main():
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name="dxdy")
    assert entry.value == "dxdy.__main__:main" and entry.load() is cli.main


def test_readme_shows_what_the_commands_print():
    readme = (ROOT / "README.md").read_text()
    sessions = re.findall(r"^\$ (python -m dxdy [^\n]*)\n(.*?)(?=^\$ |^```)", readme, re.M | re.S)
    assert len(sessions) >= 2
    for command, shown in sessions:
        done = run_module(*shlex.split(command)[3:])
        assert done.returncode == 0, done.stderr
        assert done.stdout == shown.rstrip("\n") + "\n", command


def _unindent(text):
    return "\n".join(line.strip() for line in text.splitlines())
