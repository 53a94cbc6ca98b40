"""dxdy.explain: the report's text for the tutorial's examples, its leaf gradients against backward and PyTorch
on random small graphs (broadcasting, views, several outputs, hooks, retain_grad, create_graph), the graph left
usable and .grad untouched, the notebook rendering (executed by nbclient) and `python -m dxdy explain`."""
import html
import io
import pathlib
import random
import re

import nbformat
import numpy as np
import pytest
import torch
from nbclient import NotebookClient

import dxdy
import dxdy.__main__ as cli
from custom_functions import old_style_cube

ROOT = pathlib.Path(__file__).parent.parent

TUTORIAL_MUL = """\
backward of      a tensor of shape (4,)
gradient v       [2., 3., 4., 5.]

#1 MulBackward0  output (4,)
  v (incoming)   [2., 3., 4., 5.]
  to x           input 0, shape (4,)
    J            [[3., 0., 0., 0.],
                  [0., 4., 0., 0.],
                  [0., 0., 5., 0.],
                  [0., 0., 0., 6.]]
    vᵀJ          [ 6., 12., 20., 30.]
  to y           input 1, shape (4,)
    J            [[1., 0., 0., 0.],
                  [0., 2., 0., 0.],
                  [0., 0., 3., 0.],
                  [0., 0., 0., 4.]]
    vᵀJ          [ 2.,  6., 12., 20.]

gradients        what backward adds to .grad
  x (4,)         [ 6., 12., 20., 30.]
  y (4,)         [ 2.,  6., 12., 20.]"""

TUTORIAL_DOT = """\
backward of           a tensor of shape ()
gradient v            1.

#1 MulBackward0       output ()
  v (incoming)        1.
  to #2 DotBackward0  input 0, shape ()
    J                 [[2.]]
    vᵀJ               2.

#2 DotBackward0       output ()
  v (incoming)        2.
  to x                input 0, shape (4,)
    J                 [[3., 1., 2., 5.]]
    vᵀJ               [ 6.,  2.,  4., 10.]
  to y                input 1, shape (4,)
    J                 [[0., 1., 2., 3.]]
    vᵀJ               [0., 2., 4., 6.]

gradients             what backward adds to .grad
  x (4,)              [ 6.,  2.,  4., 10.]
  y (4,)              [0., 2., 4., 6.]"""


def tutorial_mul():
    x = dxdy.tensor([1, 2, 3, 4], requires_grad=True, dtype=float)
    y = dxdy.tensor([3, 4, 5, 6], requires_grad=True, dtype=float)
    return x, y, x * y


# ── the tutorial's examples ──────────────────────────────────────────────────

def test_tutorial_mul_shows_diag_y_and_the_vector_jacobian_product():
    x, y, z = tutorial_mul()
    report = dxdy.explain(z, dxdy.tensor([2, 3, 4, 5]).reshape(z.shape), inputs={"x": x, "y": y})
    assert str(report) == repr(report) == TUTORIAL_MUL
    to_x = report.steps[0].sends[0]
    assert np.array_equal(to_x.jacobian, np.diag(y.detach().numpy()))
    assert to_x.vjp.tolist() == [6, 12, 20, 30]


def test_tutorial_dot():
    x = dxdy.arange(4.0).requires_grad_(True)
    y = dxdy.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)
    assert str(dxdy.explain(2 * dxdy.dot(x, y), inputs={"x": x, "y": y})) == TUTORIAL_DOT


def test_unnamed_leaves_are_numbered_in_the_order_backward_reaches_them():
    x, y, z = tutorial_mul()
    report = dxdy.explain(z.sum())
    assert list(report.grads) == ["leaf 1", "leaf 2"]
    assert report.steps[0].sends[0].target == "#2 MulBackward0"
    assert report.grads["leaf 1"].tolist() == y.tolist()


def test_the_readme_shows_what_its_example_prints(capsys):
    readme = (ROOT / "README.md").read_text()
    code, shown = re.search(r"## Watching a backward pass.*?```python\n(.*?)```\n```\n(.*?)```", readme, re.S).groups()
    exec(code, {})
    assert capsys.readouterr().out == shown == TUTORIAL_MUL + "\n"


def test_a_tensor_that_does_not_require_grad_has_no_backward_pass():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        dxdy.explain(dxdy.ones(2), [1.0, 1.0])


def test_dxdy_explain_is_the_module_and_the_function():
    import dxdy.explain as module
    assert dxdy.explain is module and callable(module) and isinstance(module.explain(*tutorial_mul()[2:], [1.] * 4),
                                                                     module.Explanation)


# ── agreement with backward and PyTorch ──────────────────────────────────────

SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]
UNARY = [
    lambda t, a: a.sin(),
    lambda t, a: a.exp() * 0.5,
    lambda t, a: a.tanh(),
    lambda t, a: a * a,
    lambda t, a: a.expand(2, 3) * 1.5,                               # a view that broadcasts
    lambda t, a: a.expand(2, 3).t().contiguous().t(),               # views: transposes
    lambda t, a: a.expand(2, 3)[:, 1:].sum(-1, keepdim=True),        # slicing, a reduction
    lambda t, a: t.cat(a.expand(2, 3).split([1, 2], dim=1), dim=1),  # a node with several outputs
    lambda t, a: t.stack(t.unbind(a.expand(2, 3), 0)),               # ... one output per row
    lambda t, a: a.expand(2, 3).max(dim=1, keepdim=True).values,     # values and indices
    lambda t, a: a.reshape(-1).reshape(a.shape),
]
BINARY = [
    lambda t, a, b: a * b,
    lambda t, a, b: a + b,
    lambda t, a, b: a / (b * b + 1),
    lambda t, a, b: t.where(a > b, a, b * 2),
    lambda t, a, b: a.expand(2, 3) @ b.expand(2, 3).t() @ a.expand(2, 3),
]


def random_program(rng):
    """A small random graph: leaves of broadcastable shapes, unary and binary steps; returns a function of lib."""
    n_leaves = rng.randint(1, 3)
    shapes = [rng.choice(SHAPES) for _ in range(n_leaves)]
    values = [np.random.default_rng(rng.randint(0, 10 ** 6)).standard_normal(s) for s in shapes]
    steps = []
    for _ in range(rng.randint(2, 5)):
        if rng.random() < 0.5:
            steps.append((rng.choice(UNARY), rng.randrange(10)))
        else:
            steps.append((rng.choice(BINARY), rng.randrange(10), rng.randrange(10)))

    def build(lib, hooks=False):
        leaves = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
        live = list(leaves)
        for step in steps:
            fn, *picks = step
            live.append(fn(lib, *[live[p % len(live)] for p in picks]))
            if hooks and len(live) % 2 == 0:
                live[-1].register_hook(lambda g: g * 2)
                live[-1].retain_grad()
        y = live[-1]
        v = lib.tensor(np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)), dtype=lib.float64)
        return leaves, y, v

    return build


def check_against_backward(build, hooks=False):
    leaves, y, v = build(dxdy, hooks)
    report = dxdy.explain(y, v)
    explained = {id(end.tensor): end.grad for end in report.ends}
    assert all(t.grad is None for t in leaves)  # explain writes no .grad
    for step in report.steps:  # each J shown agrees with the vᵀJ shown
        incoming = np.concatenate([g.reshape(-1) for g in step.incoming if g is not None])
        for send in step.sends:
            if send.jacobian is not None and not hooks:
                np.testing.assert_allclose(incoming @ send.jacobian, send.vjp.reshape(-1), atol=1e-12)
    y.backward(v)  # the graph is still there
    t_leaves, t_y, t_v = build(torch, hooks)
    t_y.backward(t_v)
    assert len(explained) == sum(t.grad is not None for t in leaves) > 0
    for leaf, t_leaf in zip(leaves, t_leaves):
        if leaf.grad is not None:
            np.testing.assert_allclose(explained[id(leaf)], leaf.grad.numpy(), atol=1e-12)
            np.testing.assert_allclose(explained[id(leaf)], t_leaf.grad.numpy(), atol=1e-12)
    return report


@pytest.mark.parametrize("seed", range(12))
def test_leaf_gradients_equal_backward_and_pytorch_on_random_graphs(seed):
    check_against_backward(random_program(random.Random(seed)))


@pytest.mark.parametrize("seed", range(4))
def test_hooks_change_the_gradients_as_in_backward_and_retained_grads_stay_untouched(seed):
    build = random_program(random.Random(100 + seed))
    check_against_backward(build, hooks=True)


def test_retain_grad_and_node_hooks():
    x = dxdy.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x.exp()
    h.retain_grad()
    calls = []
    h.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 3,))
    h.grad_fn.register_hook(lambda grad_inputs, grad_outputs: calls.append(len(grad_inputs)))
    report = dxdy.explain((h * h).sum())
    assert h.grad is None and x.grad is None and calls == [1]
    assert h.grad_fn.hooks.retain  # retain_grad is back in place
    (h * h).sum().backward()
    assert np.allclose(report.grads["leaf 1"].numpy(), x.grad.numpy()) and h.grad is not None
    (exp_step,) = [s for s in report.steps if s.node is h.grad_fn]
    assert np.allclose(exp_step.incoming[0], (3 * 2 * h).detach().numpy())  # what the node's rules saw
    nodes_without_hooks = [s.node for s in report.steps if s.node is not h.grad_fn]
    assert all(n.hooks is None for n in nodes_without_hooks)


def test_create_graph_gradients_can_be_explained():
    x = dxdy.tensor([0.5, 1.0, 2.0], requires_grad=True)
    (g,) = dxdy.autograd.grad((x ** 3).sum(), x, create_graph=True)
    report = dxdy.explain(g.sum(), inputs={"x": x})
    tx = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    (tg,) = torch.autograd.grad((tx ** 3).sum(), tx, create_graph=True)
    tg.sum().backward()
    assert np.allclose(report.grads["x"].numpy(), tx.grad.numpy())


def test_a_custom_function_saved_tensor_hooks_and_a_root_that_is_one_output_of_several():
    results = []
    for lib in (dxdy, torch):
        x = lib.tensor([1.0, 2.0, -0.5], dtype=lib.float64, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y = old_style_cube(lib).apply(x.exp()).unbind()[1]
        if lib is dxdy:
            report = dxdy.explain(y, inputs={"x": x})
            assert [s.name for s in report.steps] == ["UnbindBackward0", "CubeBackward", "ExpBackward0"]
            assert report.steps[0].incoming[0] is None and x.grad is None
            results.append(report.grads["x"].numpy())
        y.backward()
        results.append(x.grad.numpy())
    np.testing.assert_allclose(results[0], results[1], atol=1e-12)
    np.testing.assert_allclose(results[0], results[2], atol=1e-12)


def test_the_graph_stays_usable_even_without_retain_graph():
    x, y, z = tutorial_mul()
    saved = z.grad_fn.saved
    dxdy.explain(z.sum())
    dxdy.explain(z.sum())
    assert z.grad_fn.saved is saved
    z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        dxdy.explain(z.sum())


def test_inputs_may_be_non_leaf_and_big_jacobians_are_only_sized():
    x = dxdy.ones(3, 30, requires_grad=True)
    h = x * 2
    report = dxdy.explain(h.sum(), inputs=[h, x])
    assert list(report.grads) == ["input 1", "leaf 2"]
    assert report.grads["input 1"].tolist() == dxdy.ones(3, 30).tolist()
    assert "1×90, too large to show" in str(report)


def test_a_leaf_itself():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    report = dxdy.explain(x, [3.0, 4.0])
    assert report.steps == [] and report.grads["leaf 1"].tolist() == [3.0, 4.0]


# ── the notebook ─────────────────────────────────────────────────────────────

def test_a_notebook_renders_the_report_as_an_html_table():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'src')!r})\nimport dxdy\n"
        "x = dxdy.tensor([1, 2, 3, 4], requires_grad=True, dtype=float)\n"
        "y = dxdy.tensor([3, 4, 5, 6], requires_grad=True, dtype=float)\n"
        "dxdy.explain(x * y, [2, 3, 4, 5], inputs={'x': x, 'y': y})")]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    (output,) = notebook.cells[0].outputs
    page = output["data"]["text/html"]
    assert page.startswith('<table class="dxdy-explain">') and page.endswith("</table>")
    labels = [line[:17].strip() for line in TUTORIAL_MUL.splitlines() if line[:17].strip()]
    assert [html.unescape(th) for th in re.findall(r"<th[^>]*>(.*?)</th>", page)] == labels
    values = [html.unescape(td) for td in re.findall(r"<td[^>]*><pre[^>]*>(.*?)</pre></td>", page, re.S)]
    assert values[labels.index("to x") + 2] == "[ 6., 12., 20., 30.]"  # vᵀJ, two rows below "to x"
    assert values[labels.index("to x") + 1] == "\n".join(line[17:] for line in TUTORIAL_MUL.splitlines()[6:10])
    assert output["data"]["text/plain"] == TUTORIAL_MUL


# ── the command line ─────────────────────────────────────────────────────────

def run_main(*argv):
    out = io.StringIO()
    return cli.main(list(argv), out=out), out.getvalue()


def test_cli_explain_prints_the_report():
    status, text = run_main("explain", "x * y", "--at", "x=1,2,3,4", "--at", "y=3,4,5,6", "--gradient", "2,3,4,5")
    assert status == 0
    assert text == ("expression = x * y\n"
                    "x          = tensor([1., 2., 3., 4.], requires_grad=True)\n"
                    "y          = tensor([3., 4., 5., 6.], requires_grad=True)\n" + TUTORIAL_MUL + "\n")
    status, text = run_main("explain", "2 * torch.dot(x, y)", "--at", "x=arange(4.)", "--at", "y=[3,1,2,5]")
    assert status == 0 and text.endswith(TUTORIAL_DOT + "\n")
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    status, text = run_main("explain", "x * 2", "--at", "1,2", "--gradient", "-1,3")  # a VALUE alone names x
    assert status == 0 and text.endswith(str(dxdy.explain(x * 2, [-1.0, 3.0], inputs={"x": x})) + "\n")
    assert "[-2.,  6.]" in text


@pytest.mark.parametrize("argv, message", [
    (["x * y", "--at", "x=1,2", "--at", "y=3,4"], "give --gradient"),
    (["x * 2", "--at", "x=open(1)"], "NameError: name 'open' is not defined"),
    (["x * 2", "--at", "torch=1"], "cannot name a point"),
    (["x * 2", "--at", "x=1", "--at", "x=2"], "x is given twice"),
    (["x * 2", "--at", "x=1,2", "--gradient", "1,2,3"], "Mismatch in shape"),
    (["(x * 2).sum().detach()", "--at", "x=1,2"], "does not depend on x"),
    (["x.__class__", "--at", "x=1,2"], "not allowed"),
])
def test_cli_explain_refuses_bad_input_in_one_line(argv, message, capsys):
    status, _ = run_main("explain", *argv)
    err = capsys.readouterr().err
    assert status == 2 and message in err and err.count("\n") == 1
