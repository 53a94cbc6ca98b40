"""No leaks: a graph is freed by reference counting alone, a training loop keeps flat memory, copies share nothing.

dxdy must never put a reference cycle between a graph's nodes, their saved tensors and
the outputs that hold the nodes: with Python's cycle collector switched off, the last `del`
must free everything, as it does in PyTorch. Each scenario runs on both libraries with
the collector off; the tensors (and, in dxdy, the nodes) it made are watched through weak
references, which must all be dead once the scenario's locals are gone, and a collection
afterwards must find no garbage at all.

The long version of the training-loop check (10^5 steps, memory reported as it goes) is
benchmarks/leak.py.
"""
import copy
import gc
import pickle
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest
import torch

import dxdy


class collector_off:
    """Run a block with Python's cycle collector off, after a collection so that it starts clean.

    With the collector off, every object made in the block stays in the youngest generation:
    `gc.collect(0)` then finds all the cycles the block made, and fast.
    """

    def __init__(self, generation=0):
        self.generation = generation

    def __enter__(self):
        gc.collect(self.generation)
        self.was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def _watch(objects):
    refs = []
    for o in objects:
        try:
            refs.append(weakref.ref(o))
        except TypeError:  # PyTorch's C++ nodes take no weak references
            pass
    return refs


def _graph_of(*tensors):
    """The tensors and every node reachable from their grad_fn (dxdy's nodes, PyTorch's where weakref-able)."""
    out, seen, stack = list(tensors), set(), [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(f for f, _ in n.next_functions)
    return out


# -- scenarios: each builds (and mostly back-propagates through) a graph, and returns what it made ------
def mlp_steps(lib):
    lib.manual_seed(0)
    w1 = lib.randn(8, 16, requires_grad=True)
    b1 = lib.zeros(16, requires_grad=True)
    w2 = lib.randn(16, 3, requires_grad=True)
    x, y = lib.randn(5, 8), lib.tensor([0, 1, 2, 1, 0])
    made = [w1, b1, w2]
    for _ in range(3):
        h = lib.relu(x @ w1 + b1)
        out = h @ w2
        loss = lib.nn.functional.cross_entropy(out, y)
        made += _graph_of(loss, h, out)
        loss.backward()
        with lib.no_grad():
            for p in (w1, b1, w2):
                p -= 0.1 * p.grad
                p.grad = None
    return made


def graph_without_backward(lib):
    x = lib.randn(3, 4, requires_grad=True)
    h = (x @ lib.randn(4, 2)).tanh()
    loss = (h * h).sum()
    return _graph_of(loss, h) + [x]


def retain_graph(lib):
    x = lib.randn(3, requires_grad=True)
    h = (x * 2).exp()
    loss = h.sum() * h.mean()
    loss.backward(retain_graph=True)
    loss.backward(retain_graph=True)
    return _graph_of(loss, h) + [x, x.grad]


def retain_graph_then_free(lib):
    x = lib.randn(3, requires_grad=True)
    loss = (x.sin() * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return _graph_of(loss) + [x]


def hooks_and_retain_grad(lib):
    x = lib.randn(3, requires_grad=True)
    h = (x * 2).sigmoid()
    h.retain_grad()
    h.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: g + 1)
    x.register_post_accumulate_grad_hook(lambda t: None)
    h.grad_fn.register_hook(lambda grad_inputs, grad_outputs: None)
    h.grad_fn.register_prehook(lambda grad_outputs: None)
    handle = h.register_hook(lambda g: None)
    handle.remove()
    loss = h.sum()
    loss.backward()
    return _graph_of(loss, h) + [x, h.grad]


class _SavesInputAndOutput:
    """A custom autograd.Function that saves its input and its output, made for one library."""

    @staticmethod
    def make(lib):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                out = a.exp()
                ctx.save_for_backward(a, out)
                ctx.scale = 1.0
                return out

            @staticmethod
            def backward(ctx, g):
                _, out = ctx.saved_tensors
                return out * g * ctx.scale

        class Split(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                big, small = a * 2, a.argmax()
                ctx.mark_non_differentiable(small)
                return big, small

            @staticmethod
            def backward(ctx, g_big, g_small):
                return g_big * 2
        return Exp, Split


FUNCTIONS = {lib: _SavesInputAndOutput.make(lib) for lib in (dxdy, torch)}  # classes are cycles themselves


def custom_function(lib):
    exp, split = FUNCTIONS[lib]
    x = lib.randn(3, requires_grad=True)
    h = x * 1
    o = exp.apply(h)
    big, small = split.apply(o)
    loss = big.sum()
    loss.backward()
    return _graph_of(loss, o, big, h) + [x, small]


def custom_function_without_backward(lib):
    exp, _ = FUNCTIONS[lib]
    x = lib.randn(3, requires_grad=True)
    o = exp.apply(x * 1)
    loss = o.sum()
    return _graph_of(loss, o) + [x]


def views_and_in_place(lib):
    x = lib.randn(3, 4, requires_grad=True)
    h = x.clone()
    h[0] *= 2
    h.mul_(3)
    v = h[1]
    v.add_(1)
    t = h.t()
    s = h[1:, ::2]
    loss = h.sum() + t.sum() + s.sum() + h.view(12).sum()
    loss.backward()
    return _graph_of(loss, h, v, t, s) + [x]


def several_outputs(lib):
    x = lib.randn(4, 6, requires_grad=True)
    a, b = (x * 2).split(3, 1)
    m, i = (x * 3).max(1)
    u = list((x + 1).unbind(0))
    v, _ = (x - 1).sort(1)
    loss = a.sum() + b.sum() + m.sum() + u[0].sum() + v.sum()
    loss.backward()
    return _graph_of(loss, a, b, m, v, *u) + [x, i]


def higher_order(lib):
    x = lib.randn(3, requires_grad=True)
    h = (x * x).sin()
    loss = h.sum()
    (g,) = lib.autograd.grad(loss, x, create_graph=True)
    g.sum().backward()
    return _graph_of(loss, h, g) + [x]


def anomaly_mode(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Anomaly Detection has been enabled"
        with lib.autograd.detect_anomaly():
            x = lib.randn(3, requires_grad=True)
            h = (x * 2).exp()
            loss = h.sum()
            loss.backward()
    return _graph_of(loss, h) + [x]


def saved_tensors_read_back(lib):
    x = lib.randn(3, requires_grad=True)
    h = (x * 2).exp()
    loss = h.sum()
    saved = [h.grad_fn._saved_result, loss.grad_fn.next_functions, h.grad_fn.next_functions[0][0].next_functions]
    loss.backward()
    return _graph_of(loss, h) + [x, saved[0]]


def losses(lib):
    f = lib.nn.functional
    x = lib.randn(4, 3, requires_grad=True)
    t = lib.rand(4, 3)
    loss = (f.binary_cross_entropy_with_logits(x, t, pos_weight=lib.ones(3)) + f.mse_loss(x, t) +
            f.nll_loss(f.log_softmax(x, 1), lib.tensor([0, 1, 2, 0])) + f.binary_cross_entropy(x.sigmoid(), t))
    loss.backward()
    return _graph_of(loss) + [x]


def parameters(lib):
    w = lib.nn.Parameter(lib.randn(4, 2))
    for _ in range(3):
        loss = lib.nn.functional.mse_loss(lib.randn(5, 4) @ w, lib.zeros(5, 2))
        loss.backward()
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad = None
    return _graph_of(loss) + [w]


def nan_and_inf(lib):
    x = lib.tensor([0.0, 1.0, float("nan"), float("inf")], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = (lib.log(x) / x).sum()
        loss.backward()
    return _graph_of(loss) + [x]


SCENARIOS = [mlp_steps, graph_without_backward, retain_graph, retain_graph_then_free, hooks_and_retain_grad,
             custom_function, custom_function_without_backward, views_and_in_place, several_outputs, higher_order,
             anomaly_mode, saved_tensors_read_back, losses, parameters, nan_and_inf]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_graphs_are_freed_without_the_cycle_collector(scenario):
    for lib in (torch, dxdy):
        scenario(lib)  # once first: imports and caches settle
        with collector_off():
            refs = _watch(scenario(lib))
            alive = [r() for r in refs if r() is not None]
            assert not alive, f"{lib.__name__}: still alive after the last reference went: {alive[:5]}"
            found = gc.collect(0)
        assert found == 0, f"{lib.__name__}: {scenario.__name__} left {found} objects in reference cycles"


def test_the_watch_sees_a_cycle():
    # The checks above can fail: a graph kept in a cycle (a hook that holds its own tensor) stays alive.
    with collector_off():
        x = dxdy.randn(3, requires_grad=True)
        h = x * 2
        h.register_hook(lambda g, h=h: g * h.sum())  # h -> node -> hook -> h
        refs = _watch(_graph_of(h))
        del x, h
        assert any(r() is not None for r in refs)
        assert gc.collect(0) > 0
    assert all(r() is None for r in refs)


def test_saved_arrays_go_as_soon_as_backward_has_run():
    # Not only the graph: the big arrays a node saved are freed by backward while the loss is still held
    # (and kept by retain_graph=True until the last reference to the graph goes), as in PyTorch.
    def traced_after(retain):
        x = dxdy.randn(500, 500, dtype=dxdy.float64, requires_grad=True)  # 2 MB per array
        tracemalloc.start()
        try:
            loss = (x.exp() * 2).sin().sum()
            before = tracemalloc.get_traced_memory()[0]
            loss.backward(retain_graph=retain)
            x.grad = None
            after = tracemalloc.get_traced_memory()[0]
            del loss
            gone = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        return before - after, after - gone

    freed_by_backward, freed_by_del = traced_after(retain=False)
    assert freed_by_backward > 3_000_000 and freed_by_del < 100_000
    freed_by_backward, freed_by_del = traced_after(retain=True)
    assert freed_by_backward < 100_000 and freed_by_del > 3_000_000


# -- a training loop keeps flat memory --------------------------------------------------------------
def _model(lib):
    lib.manual_seed(0)
    p = lib.nn.Parameter
    return [p(lib.randn(8, 32) * 0.3), p(lib.zeros(32)), p(lib.randn(32, 4) * 0.3), p(lib.zeros(4))]


def _step(lib, params, x, y, keep=None):
    w1, b1, w2, b2 = params
    h = lib.tanh(x @ w1 + b1)
    logits = lib.nn.functional.linear(h, w2.t(), b2)
    loss = lib.nn.functional.cross_entropy(logits, y)
    loss.backward()
    with lib.no_grad():
        for p in params:
            p -= 0.05 * p.grad
    for p in params:
        p.grad = None
    if keep is not None:
        keep.append(loss)  # a leak on purpose: every step's graph stays reachable
    return loss.item()


def growth_over_training(lib, steps, keep=None):
    """Bytes Python holds after `steps` more steps than before them (after a warm-up), and the cycles made."""
    params = _model(lib)
    x, y = lib.randn(16, 8), lib.tensor([0, 1, 2, 3] * 4)
    for _ in range(20):
        _step(lib, params, x, y)
    with collector_off(generation=2):
        tracemalloc.start()
        try:
            gc.collect()  # also empties the interpreter's free lists, which would otherwise fill up
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(steps):
                _step(lib, params, x, y, keep)
            cycles = gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    return after - before, cycles


BOUND = 32 * 1024  # bytes: a few small objects at most (a leaked graph costs kilobytes per step)


@pytest.mark.parametrize("lib", [dxdy, torch], ids=["dxdy", "torch"])
def test_training_loop_keeps_flat_memory(lib):
    growth, cycles = growth_over_training(lib, 300)
    assert cycles == 0
    assert growth < BOUND, f"{lib.__name__}: {growth} bytes more after 300 steps"


def test_the_memory_check_sees_a_leak():
    growth, _ = growth_over_training(dxdy, 100, keep=[])
    assert growth > 4 * BOUND


# -- pickle and deepcopy ------------------------------------------------------------------------------
def _roundtrip(obj, protocol=pickle.HIGHEST_PROTOCOL):
    return pickle.loads(pickle.dumps(obj, protocol=protocol))


def _state(t):
    return (repr(t.detach().numpy().tolist()), str(t.dtype).split(".")[-1], tuple(t.shape), t.requires_grad, t.is_leaf,
            t.grad_fn is None, type(t).__name__)


COPIED = {
    "leaf-requiring-grad": lambda L: L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True),
    "not-a-leaf": lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
    "int16": lambda L: L.tensor([1, 2], dtype=L.int16),
    "bool-0d": lambda L: L.tensor(True),
    "float16": lambda L: L.tensor([1.5], dtype=L.float16),
    "empty": lambda L: L.zeros(0, 3),
    "transposed": lambda L: L.arange(6.0).reshape(2, 3).t(),
    "nan-inf-negative-zero": lambda L: L.tensor([float("nan"), float("inf"), -0.0]),
    "parameter": lambda L: L.nn.Parameter(L.ones(2)),
    "parameter-no-grad": lambda L: L.nn.Parameter(L.ones(2), requires_grad=False),
    "detached": lambda L: (L.ones(2, requires_grad=True) * 2).detach(),
}


@pytest.mark.parametrize("make", COPIED.values(), ids=COPIED.keys())
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_keeps_data_dtype_and_requires_grad_not_the_graph(make, protocol):
    ours, theirs = _roundtrip(make(dxdy), protocol), _roundtrip(make(torch), protocol)
    assert _state(ours) == _state(theirs)
    assert ours.is_leaf and ours.grad is None


@pytest.mark.parametrize("make", [f for k, f in COPIED.items() if k != "not-a-leaf"],
                         ids=[k for k in COPIED if k != "not-a-leaf"])
def test_deepcopy_of_leaves(make):
    for lib in (dxdy, torch):
        x = make(lib)
        y = copy.deepcopy(x)
        assert y is not x and _state(y) == _state(x)
        if y.numel():
            first = (0,) * y.dim()
            with lib.no_grad():
                y[first] = 7  # shares no memory
            assert x[first].item() != 7


def test_deepcopy_copies_the_gradient_and_keeps_sharing_inside_the_copied_object():
    for lib in (dxdy, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        y = copy.deepcopy(x)
        assert y.grad.tolist() == [2.0, 4.0] and y.grad is not x.grad
        pair = copy.deepcopy([x, x])
        assert pair[0] is pair[1] and pair[0] is not x
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.ones(2)
        q = copy.deepcopy([p, p])
        assert q[0] is q[1] and type(q[0]).__name__ == "Parameter" and q[0].requires_grad
        assert q[0].grad is None  # PyTorch's Parameter.__deepcopy__ does not copy .grad
        r = _roundtrip([p, p])
        assert r[0] is r[1] and type(r[0]).__name__ == "Parameter" and r[0].grad is None
        again = _roundtrip([x, x])
        assert again[0] is again[1] and again[0].grad is None


def test_deepcopy_of_a_non_leaf_is_refused():
    for lib in (dxdy, torch):
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(lib.ones(2, requires_grad=True) * 2)


def test_pickled_tensors_train_like_the_originals():
    w = dxdy.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    w2 = _roundtrip(w)
    x = dxdy.tensor([[1.0, 2.0]])
    (x @ w).sum().backward()
    (x @ w2).sum().backward()
    assert w2.grad.tolist() == w.grad.tolist()
    assert w.grad is not w2.grad and not np.shares_memory(w.detach().numpy(), w2.detach().numpy())


def test_dtypes_sizes_and_devices_pickle():
    for lib in (dxdy, torch):
        assert _roundtrip(lib.float64) is lib.float64
        assert copy.deepcopy(lib.int32) is lib.int32
        s = _roundtrip(lib.zeros(2, 3).shape)
        assert type(s).__name__ == "Size" and tuple(s) == (2, 3)
        assert str(_roundtrip(lib.device("cpu"))) == "cpu"


def test_views_made_every_step_do_not_pile_up_in_the_version_counter():
    # The counter a tensor shares with its views keeps weak references to them (ops/inplace.py refreshes
    # live views after an in-place write); dead ones must be dropped, or a parameter viewed every step leaks.
    w = dxdy.randn(3, 3, requires_grad=True)
    for _ in range(5000):
        (w.t() @ dxdy.ones(3)).sum().backward()
    assert len(w._vc[1]) <= 16
