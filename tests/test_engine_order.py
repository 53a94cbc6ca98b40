"""The order in which the backward pass runs nodes, seen through hooks, compared with PyTorch.

Every program below runs once with torch and once with dxdy; hooks on tensors, nodes and
leaves, and custom Functions' backward(), append to a log, and the two logs must be equal.
Most programs are random DAGs (a fixed seed); a few are written out by hand.
"""
import random

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
import torch

import dxdy

SHAPE = (4,)


def _function_class(lib, log):
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            log.append(("function", ctx.label))
            return g * 2

    return Twice


def _watch(log, t, name, hooks):
    """Register the hooks `hooks` (drawn once, the same for both libraries) on the tensor `t`."""
    if t.grad_fn is None:
        if "tensor" in hooks:
            t.register_hook(lambda g: log.append(("leaf hook", name)))
        if "post_accumulate" in hooks:
            t.register_post_accumulate_grad_hook(lambda p: log.append(("post accumulate", name)))
        return
    if "tensor" in hooks:
        t.register_hook(lambda g: log.append(("tensor hook", name)))
    if "retain" in hooks:
        t.retain_grad()
    if "prehook" in hooks:
        t.grad_fn.register_prehook(lambda go: log.append(("prehook", name)))
    if "hook" in hooks:
        t.grad_fn.register_hook(lambda gi, go: log.append(("node hook", name)))


def _random_program(seed):
    """A program as data: steps that both libraries replay the same way."""
    rng = random.Random(seed)
    n_leaves = rng.randint(1, 4)
    steps = []
    count = n_leaves
    for _ in range(rng.randint(2, 12)):
        kind = rng.choice(["unary", "unary", "binary", "binary", "binary", "function", "inplace", "view_inplace",
                           "split", "view", "stack"])
        args = [rng.randrange(count) for _ in range(rng.randint(2, 6) if kind == "stack" else 2)]
        # Prefer recent tensors sometimes, so that some chains get long and others stay short.
        if rng.random() < 0.5:
            args[0] = max(0, count - 1 - rng.randrange(3))
        unary = rng.choice(["exp", "sin", "neg", "mul2", "tanh"])
        binary = rng.choice(["add", "mul", "sub"])
        steps.append((kind, args, unary, binary))
        count += 1
    hooks = [set(h for h in ("tensor", "retain", "prehook", "hook", "post_accumulate") if rng.random() < 0.5)
             for _ in range(count)]
    n_roots = rng.randint(1, 3)
    roots = sorted(set(rng.randrange(n_leaves, count) for _ in range(n_roots)), key=lambda _: rng.random())
    mode = rng.choice(["sum_backward", "backward_list", "grad", "grad", "backward_inputs"])
    inputs = sorted(set(rng.randrange(count) for _ in range(rng.randint(1, 3))))
    create_graph = rng.random() < 0.25
    return dict(n_leaves=n_leaves, steps=steps, hooks=hooks, roots=roots, mode=mode, inputs=inputs,
                create_graph=create_graph)


def _run(lib, program):
    log = []
    twice = _function_class(lib, log)
    values = [lib.tensor([0.5 + 0.1 * i + 0.3 * k for k in range(SHAPE[0])], requires_grad=True)
              for i in range(program["n_leaves"])]
    for kind, args, unary, binary in program["steps"]:
        x, y = values[args[0]], values[args[1]]
        if kind == "unary":
            out = x * 2 if unary == "mul2" else getattr(lib, unary)(x)
        elif kind == "binary":
            out = {"add": lib.add, "mul": lib.mul, "sub": lib.sub}[binary](x, y)
        elif kind == "function":
            out = twice.apply(x)
            out.grad_fn.label = f"f{len(values)}"
        elif kind == "inplace":
            out = x.clone()
            out.mul_(y)
        elif kind == "view_inplace":
            out = x * 1
            out[1:3].add_(y[:2])
        elif kind == "split":
            a, b = x.split(2)
            out = lib.cat([b.exp(), a])
        elif kind == "stack":  # one node with many inputs: several leaves may become ready at once
            out = lib.stack([values[k] for k in args]).sum(0)
        else:  # view
            out = x.view(2, 2).t().reshape(4)
        values.append(out)
    for k, t in enumerate(values):
        _watch(log, t, f"t{k}", program["hooks"][k])
    roots = [values[k] for k in program["roots"]]
    inputs = [values[k] for k in program["inputs"]]
    mode, create = program["mode"], program["create_graph"]
    if mode == "sum_backward":
        sum(r.sum() for r in roots).backward(create_graph=create)
    elif mode == "backward_list":
        lib.autograd.backward([r * 1.5 for r in roots] if create else roots,
                              [lib.ones(SHAPE) for _ in roots], create_graph=create)
    elif mode == "grad":
        lib.autograd.grad([r.sum() for r in roots], inputs, allow_unused=True, create_graph=create)
    else:
        sum(r.sum() for r in roots).backward(inputs=inputs, create_graph=create)
    return log


def _logs(program):
    return _run(torch, program), _run(dxdy, program)


@pytest.mark.parametrize("seed", range(150))
def test_random_graphs_run_hooks_in_pytorch_order(seed):
    program = _random_program(seed)
    expected, got = _logs(program)
    assert got == expected, program


def _both(build):
    """Run `build(lib, log)` for each library; return (torch's log, dxdy's log)."""
    logs = []
    for lib in (torch, dxdy):
        log = []
        build(lib, log)
        logs.append(log)
    return logs


def _hook(t, log, name):
    t.register_hook(lambda g: log.append(name))


def test_diamond_with_branches_of_different_lengths():
    def build(lib, log):
        x = lib.ones(3, requires_grad=True)
        a = x.exp()
        long = a.sin().cos().tanh()
        short = a * 3
        for t, n in ((a, "a"), (long, "long"), (short, "short")):
            _hook(t, log, n)
        (long + short).sum().backward()
    expected, got = _both(build)
    assert got == expected


def test_leaves_accumulate_before_any_other_node_runs():
    def build(lib, log):
        w = lib.ones(3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        h = (w * 2).sin()
        out = (h * w + b).exp()
        for t, n in ((w, "w"), (b, "b")):
            t.register_post_accumulate_grad_hook(lambda p, n=n: log.append(n))
        _hook(h, log, "h")
        out.sum().backward()
    expected, got = _both(build)
    assert got == expected


def test_leaves_that_become_ready_together_keep_pytorchs_heap_order():
    # Leaves tie (PyTorch ranks every AccumulateGrad alike): its binary heap decides, not their order.
    def build(lib, log):
        leaves = [lib.ones(2, requires_grad=True) for _ in range(7)]
        for k, leaf in enumerate(leaves):
            leaf.register_post_accumulate_grad_hook(lambda p, k=k: log.append(k))
        lib.cat(leaves).exp().sum().backward()
    expected, got = _both(build)
    assert got == expected != sorted(expected)


def test_several_roots_given_to_backward():
    def build(lib, log):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        z = x.sin()
        w = y * z
        for t, n in ((y, "y"), (z, "z"), (w, "w")):
            _hook(t, log, n)
        lib.autograd.backward([z, w, y], [lib.ones(3)] * 3)
    expected, got = _both(build)
    assert got == expected


def test_the_first_error_raised_is_pytorchs():
    def build(lib, log):
        x = lib.ones(3, requires_grad=True)
        early = x.exp()          # made first: runs last in PyTorch
        late = x.sin()

        def fail(name):
            def hook(g):
                raise ValueError(name)
            return hook
        early.register_hook(fail("early"))
        late.register_hook(fail("late"))
        with pytest.raises(ValueError) as info:
            (early + late).sum().backward()
        log.append(str(info.value))
    expected, got = _both(build)
    assert got == expected == ["late"]
