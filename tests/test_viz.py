"""dxdy.viz: the backward graph as Graphviz DOT, compared with PyTorch's graph of the same program, and drawn
by the real `dot` program. .ci/run installs Graphviz and sets DXDY_TESTS_NEED_DOT=1, so in CI a missing `dot`
fails the drawing tests; on a machine without Graphviz the README's test command skips them (fixture `dot`)."""
import contextlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest
import torch

import dxdy
import dxdy.__main__ as cli
from dxdy import viz

ROOT = pathlib.Path(__file__).resolve().parent.parent
ROLES = {"darkolivegreen1": "output", "lightblue": "leaf", "orange": "saved"}


# ── reading DOT back ─────────────────────────────────────────────────────────

NODE = re.compile(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"(?: fillcolor=(\w+))?\]$')
EDGE = re.compile(r'^  (n\d+) -> (n\d+)(?: \[(.*)\])?$')


def parse(source):
    """{id: (label lines, role or None for a grad_fn)}, [(from, to, attributes)] of dxdy.viz's DOT text."""
    lines = source.rstrip("\n").splitlines()  # (print(graph) adds a line break to the text's own)
    assert lines[0] == "digraph backward {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if node := NODE.match(line):
            label = node[2].replace('\\"', '"').split("\\n")
            nodes[node[1]] = (label, ROLES[node[3]] if node[3] else None)
        elif edge := EDGE.match(line):
            edges.append((edge[1], edge[2], edge[3] or ""))
        else:
            assert line.startswith(("  graph [", "  node [")), line
    assert all(a in nodes and b in nodes for a, b, _ in edges)
    return nodes, edges


def shape_of(text):
    return tuple(int(n) for n in re.findall(r"\d+", text))


def tensor_key(label, role):
    """A tensor node as (role, its params name or None, shape), from its label lines."""
    named = not label[0].startswith("(")
    return role, label[0] if named else None, shape_of(label[1 if named else 0])


def structure_of_dot(source):
    """The multisets of grad_fn names and of the backward graph's edges (saved-tensor lines left out)."""
    nodes, edges = parse(source)

    def key(i):
        label, role = nodes[i]
        return label[0] if role is None else tensor_key(label, role)
    names = Counter(label[0] for label, role in nodes.values() if role is None)
    return names, Counter((key(a), key(b)) for a, b, attrs in edges if not attrs)


def structure_of_torch(outputs, params):
    """The same multisets, by walking PyTorch's grad_fn.next_functions as torchviz does."""
    names_of = {id(t): name for name, t in params.items()}
    names, edges, seen = Counter(), Counter(), {}
    for y in outputs:
        edges[(type(y.grad_fn).__name__, ("output", names_of.get(id(y)), tuple(y.shape)))] += 1
        stack = [y.grad_fn]
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen[id(fn)] = fn
            name = type(fn).__name__
            names[name] += 1
            if hasattr(fn, "variable"):
                v = fn.variable
                edges[(("leaf", names_of.get(id(v)), tuple(v.shape)), name)] += 1
            for child, _ in fn.next_functions:
                if child is not None:
                    edges[(type(child).__name__, name)] += 1
                    stack.append(child)
    return names, edges


# ── programs, run with torch and with dxdy ───────────────────────────────────

def leaves(T):
    g = np.random.default_rng(0)
    data = {"x": g.standard_normal(3), "w": g.standard_normal(3), "W": g.standard_normal((3, 2)),
            "b": g.standard_normal(2)}
    return {k: T.tensor(v, dtype=T.float32, requires_grad=True) for k, v in data.items()}


def _tuple_program(T, p):
    e = p["x"].exp()
    return e * p["w"], e.sum()


PROGRAMS = {  # name -> f(T, params) -> a tensor or a tuple of tensors
    "square": lambda T, p: (p["x"] * p["x"]).exp().sum(),
    "layer": lambda T, p: T.tanh(T.ones(4, 3) @ p["W"] + p["b"]).mean(),
    "select": lambda T, p: T.sin(p["x"]).sum() * p["x"][0],
    "quotient": lambda T, p: (p["x"] / p["w"] ** 2).relu().sum(),
    "tuple": _tuple_program,
}


def both(program):
    """(torch's outputs, torch's params, dxdy's outputs, dxdy's params) of one program."""
    run = []
    for T in (torch, dxdy):
        p = leaves(T)
        out = PROGRAMS[program](T, p)
        run += [out if isinstance(out, tuple) else (out,), p]
    return run


@pytest.mark.parametrize("program", PROGRAMS)
def test_nodes_and_edges_are_pytorchs(program):
    t_out, t_params, d_out, d_params = both(program)
    dot = viz.graph(d_out if len(d_out) > 1 else d_out[0], params=d_params).source
    assert structure_of_dot(dot) == structure_of_torch(t_out, t_params)


def test_the_comparison_can_fail():
    t_out, t_params, _, d_params = both("square")
    other = viz.graph((d_params["x"] * 2).exp().sum(), params=d_params).source  # one AccumulateGrad edge, not two
    assert structure_of_dot(other) != structure_of_torch(t_out, t_params)


def test_arrows_run_from_next_functions_to_their_node_and_to_the_output():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse(viz.graph(x.exp().sum(), params={"x": x}).source)
    label = {i: "\n".join(lines) for i, (lines, _) in nodes.items()}
    assert [(label[a], label[b]) for a, b, _ in edges] == [
        ("ExpBackward0", "SumBackward0"), ("AccumulateGrad", "ExpBackward0"), ("x\n(2)", "AccumulateGrad"),
        ("SumBackward0", "()")]


def test_params_name_leaves_and_other_leaves_show_their_shape():
    W, b = dxdy.ones(3, 2, requires_grad=True), dxdy.zeros(2, requires_grad=True)
    x = dxdy.ones(3, requires_grad=True)
    nodes, _ = parse(viz.graph((x @ W + b).sum(), params={"W": W, "b": b}).source)
    tensors = sorted(lines for lines, role in nodes.values() if role == "leaf")
    assert tensors == [["(3)"], ["W", "(3, 2)"], ["b", "(2)"]]


def test_a_tuple_of_outputs_shares_its_common_nodes():
    _, _, d_out, d_params = both("tuple")
    nodes, edges = parse(viz.graph(d_out, params=d_params).source)
    names = Counter(lines[0] for lines, role in nodes.values() if role is None)
    assert names["ExpBackward0"] == 1 and sum(role == "output" for _, role in nodes.values()) == 2
    assert viz.graph(list(d_out), params=d_params).source == viz.graph(d_out, params=d_params).source


def test_saved_tensors_are_pytorchs_saved_tensors():
    seen = {}
    for T in (torch, dxdy):
        x = T.tensor([1.0, -2.0], requires_grad=True)
        w = T.tensor([3.0, 0.5], requires_grad=True)
        y = T.sin(x * w).exp().sum(0)
        if T is torch:
            fns, stack = [], [y.grad_fn]
            while stack:
                fn = stack.pop()
                fns.append(fn)
                stack += [c for c, _ in fn.next_functions if c is not None and not hasattr(c, "variable")]
            seen["torch"] = {type(fn).__name__: sorted(a[7:] for a in dir(fn) if a.startswith("_saved_")
                                                       and torch.is_tensor(getattr(fn, a))) for fn in fns}
            sum_node = y.grad_fn
        else:
            nodes, edges = parse(viz.graph(y, params={"x": x, "w": w}, show_saved=True).source)
            saved = {nodes[b][0][0]: [] for b in nodes if nodes[b][1] is None and nodes[b][0][0] != "AccumulateGrad"}
            for a, b, attrs in edges:
                if attrs:
                    assert "dir=none" in attrs and nodes[a][1] in ("saved", "leaf")
                    saved[nodes[b][0][0]].append(re.search(r'label="(.*)"', attrs)[1])
            seen["dxdy"] = {k: sorted(v) for k, v in saved.items()}
            sum_label = next(lines for lines, role in nodes.values() if lines[0] == "SumBackward1")
    assert seen["dxdy"] == seen["torch"]
    assert seen["dxdy"]["MulBackward0"] == ["other", "self"]  # (so that the comparison says something)
    # values that are not tensors are listed in the node's box, by PyTorch's names and values
    assert f"dim: {sum_node._saved_dim}" in sum_label and f"keepdim: {sum_node._saved_keepdim}" in sum_label


def test_a_saved_leaf_is_drawn_once_and_a_saved_result_has_its_own_node():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse(viz.graph((x * x.exp()).sum(), params={"x": x}, show_saved=True).source)
    saved = {re.search(r'label="(.*)"', attrs)[1]: nodes[a] for a, b, attrs in edges if attrs}
    assert saved["self"] == (["x", "(2)"], "leaf")
    assert saved["other"] == (["(2)"], "saved") and saved["result"] == (["(2)"], "saved")
    assert sum(lines == ["x", "(2)"] for lines, _ in nodes.values()) == 1


def test_without_show_saved_nothing_saved_is_drawn():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse(viz.graph(x.exp().sum(0), params={"x": x}).source)
    assert all(not attrs for _, _, attrs in edges) and all(len(lines) == 1 for lines, r in nodes.values() if not r)


def test_saved_values_freed_by_backward_say_so():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError):  # as in PyTorch, the saved values themselves are gone
        y.grad_fn.next_functions[0][0]._saved_result
    nodes, _ = parse(viz.graph(y, show_saved=True).source)
    assert ["ExpBackward0", "(saved values freed)"] in [lines for lines, _ in nodes.values()]


def test_show_values_adds_each_tensors_values():
    x = dxdy.tensor([1.5, -2.0], requires_grad=True)
    nodes, _ = parse(viz.graph((x * 3).sum(), params={"x": x}, show_values=True).source)
    by_role = {role: lines for lines, role in nodes.values() if role}
    numbers = [float(v) for v in re.findall(r"-?\d+\.?\d*", by_role["leaf"][2])]
    assert numbers == torch.tensor([1.5, -2.0]).tolist()
    assert float(by_role["output"][1]) == pytest.approx(float((torch.tensor([1.5, -2.0]) * 3).sum()))


def test_a_leaf_or_a_constant_is_a_graph_of_one_node():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    for y in (x, dxdy.ones(2)):
        nodes, edges = parse(viz.graph(y, params={"x": x}).source)
        assert len(nodes) == 1 and edges == []


def test_a_long_chain_needs_no_recursion():
    y = x = dxdy.tensor(1.0, requires_grad=True)
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    nodes, edges = parse(viz.graph(y).source)
    assert len(nodes) == 3 * sys.getrecursionlimit() + 3 and len(edges) == len(nodes) - 1


def test_the_same_program_gives_the_same_text():
    texts = {viz.graph(PROGRAMS["layer"](dxdy, leaves(dxdy)), show_saved=True).source for _ in range(2)}
    assert len(texts) == 1


def test_labels_are_quoted_for_dot():
    x = dxdy.tensor([1.0], requires_grad=True)
    nodes, _ = parse(viz.graph(x * 2, params={'a "quoted" \\ name': x}).source)
    assert ['a "quoted" \\\\ name', "(1)"] in [lines for lines, _ in nodes.values()]


def test_bad_arguments_are_type_errors():
    x = dxdy.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="tensor or a tuple of tensors"):
        viz.graph([x * 2, 3.0])
    with pytest.raises(TypeError, match=r"params\['w'\] is a list"):
        viz.graph(x * 2, params={"w": [1.0]})


def test_viz_is_loaded_on_first_use_only():
    code = "import sys, dxdy; assert 'dxdy.viz' not in sys.modules; assert dxdy.viz.graph; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(dxdy.__file__))))
    assert done.stdout == "ok\n", done.stderr


# ── drawing with Graphviz's dot ──────────────────────────────────────────────

@pytest.fixture
def dot():
    """Graphviz's dot, which drawing needs (an optional system package, as dxdy.viz's docs say)."""
    path = shutil.which("dot")
    if path is None:
        if os.environ.get("DXDY_TESTS_NEED_DOT"):
            pytest.fail("Graphviz's dot is missing: .ci/run installs it (apt-get install graphviz)")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz); CI runs these tests")
    return path


def test_graphviz_dot_is_installed(dot):
    assert os.access(dot, os.X_OK)


def svg_parts(svg):
    """{title: texts} of the SVG's nodes and the titles of its edges."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(svg)
    nodes = {g.find("s:title", ns).text: [t.text for t in g.iterfind("s:text", ns)]
             for g in root.iterfind(".//s:g[@class='node']", ns)}
    edges = [g.find("s:title", ns).text for g in root.iterfind(".//s:g[@class='edge']", ns)]
    return nodes, edges


def test_render_svg_draws_every_node_and_edge(tmp_path, dot):
    W, b = dxdy.ones(3, 2, requires_grad=True), dxdy.zeros(2, requires_grad=True)
    x = dxdy.ones(3)
    g = viz.graph((x @ W + b).tanh().sum(), params={"W": W, "b": b}, show_saved=True)
    path = tmp_path / "graph.svg"
    assert g.render(path) == path
    nodes, edges = svg_parts(path.read_bytes())
    dot_nodes, dot_edges = parse(g.source)
    assert nodes == {i: lines for i, (lines, _) in dot_nodes.items()}
    assert Counter(edges) == Counter(f"{a}->{b}" for a, b, _ in dot_edges)
    names = [texts[0] for texts in nodes.values()]
    for name in ("SumBackward0", "TanhBackward0", "AddBackward0", "SqueezeBackward4", "AccumulateGrad", "W", "b"):
        assert name in names or any(name in texts for texts in nodes.values()), name
    assert g._repr_svg_().lstrip().startswith("<?xml") and svg_parts(g._repr_svg_().encode()) == (nodes, edges)


def test_render_png_and_dot_text(tmp_path, dot):
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    g = viz.graph((x * x).sum(), params={"x": x})
    g.render(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    g.render(str(tmp_path / "g.dot"))
    assert (tmp_path / "g.dot").read_text() == g.source == str(g)
    with pytest.raises(ValueError, match=r"\.svg, \.png"):
        g.render(tmp_path / "g.txt")
    assert not (tmp_path / "g.txt").exists()


def test_without_dot_rendering_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without Graphviz
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    g = viz.graph((x * x).sum(), params={"x": x})  # drawing the DOT text needs no Graphviz
    assert "MulBackward0" in g.source
    for draw in (lambda: g.render(tmp_path / "g.svg"), g._repr_svg_, lambda: g.pipe("png")):
        with pytest.raises(viz.GraphvizNotFound, match=r"apt-get install graphviz.*brew install graphviz"):
            draw()
    assert not (tmp_path / "g.svg").exists()
    status, text, err = run_cli("graph", "(x*x).sum()", "--at", "1,2", "-o", str(tmp_path / "g.svg"))
    assert status == 2 and "apt-get install graphviz" in err and err.count("\n") == 1


# ── the command line ─────────────────────────────────────────────────────────

def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    old, sys.stderr = sys.stderr, err
    try:
        status = cli.main(list(argv), out=out)
    finally:
        sys.stderr = old
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("expr, at", [("torch.sin(x).sum() * x[0]", "1,2"), ("((e := x.exp()) * e).sum()", "1"),
                                      ("(x.t() @ x).trace() / 3", "1,2;3,4")])
def test_cli_dot_is_pytorchs_graph(expr, at):
    status, text, _ = run_cli("graph", expr, "--at", at, "--dot")
    assert status == 0
    x = cli.parse_point(at)
    tx = torch.tensor(x.tolist(), requires_grad=True)
    ty = eval(expr, {"torch": torch, "x": tx})
    assert structure_of_dot(text) == structure_of_torch((ty,), {"x": tx})


def test_cli_saved_and_values_print_dot():
    status, text, _ = run_cli("graph", "(x * x).sum()", "--at", "1,2", "--saved", "--values")
    nodes, edges = parse(text)
    assert status == 0 and sum(bool(attrs) for _, _, attrs in edges) == 2
    assert ["x", "(2)", "[1., 2.]"] in [lines for lines, _ in nodes.values()]


def test_cli_output_writes_the_drawing(tmp_path, dot):
    path = tmp_path / "graph.svg"
    status, text, _ = run_cli("graph", "torch.sin(x).sum() * x[0]", "--at", "1,2", "-o", str(path))
    assert status == 0 and text == f"Wrote the backward graph of 'torch.sin(x).sum() * x[0]' to {path}\n"
    nodes, edges = svg_parts(path.read_bytes())
    assert sorted(t[0] for t in nodes.values()) == sorted(["()", "x", "MulBackward0", "SumBackward0", "SinBackward0",
                                                           "AccumulateGrad", "SelectBackward0"])
    assert len(edges) == 7


def test_cli_output_in_a_real_process(tmp_path, dot):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(dxdy.__file__)))
    done = subprocess.run([sys.executable, "-m", "dxdy", "graph", "(x*x).sum()", "--at", "1,2", "-o", "g.png"],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")


def test_cli_refuses_an_unknown_suffix_and_keeps_the_expression_away_from_files(tmp_path):
    status, text, err = run_cli("graph", "x.sum()", "--at", "1", "-o", str(tmp_path / "g.txt"))
    assert status == 2 and text == "" and ".svg, .png" in err and err.count("\n") == 1
    status, text, err = run_cli("graph", f"torch.viz.graph(x).render({str(tmp_path / 'g.svg')!r})", "--at", "1")
    assert status == 2 and "not public API" in err and not (tmp_path / "g.svg").exists()


def test_the_readme_example_draws_and_prints_its_graph(tmp_path, monkeypatch, dot):
    readme = (ROOT / "README.md").read_text()
    code = next(body for body in re.findall(r"```python\n(.*?)```", readme, re.S) if "from dxdy.viz import" in body)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    names, edges = structure_of_dot(printed.getvalue())
    assert names == Counter({"MeanBackward0": 1, "TanhBackward0": 1, "AddBackward0": 1, "MmBackward0": 1,
                             "AccumulateGrad": 2})
    assert set(svg_parts((tmp_path / "loss.svg").read_bytes())[0]) == set(parse(printed.getvalue())[0])


def test_saved_values_changed_in_place_say_what_pytorch_says():
    said = {}
    for T in (torch, dxdy):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        z = (y * y).sum()
        y.add_(1)
        with pytest.raises(RuntimeError) as error:  # PyTorch's saved attributes refuse to read back
            z.grad_fn.next_functions[0][0]._saved_self
        said[T.__name__] = str(error.value).split(":")[0]
    nodes, _ = parse(viz.graph(z, show_saved=True).source)
    mul = next(lines for lines, _ in nodes.values() if lines[0] == "MulBackward0")
    assert mul[1] == "(saved values unreadable:" and " ".join(mul[2:]) == said["torch"] + ")"


def test_the_same_output_twice_is_drawn_once():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    assert viz.graph((y, y)).source == viz.graph(y).source
