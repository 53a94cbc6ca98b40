"""What a custom Function's ctx.saved_tensors gives back, and second derivatives through it, against PyTorch.

Every way forward can save a tensor (an input, an output, an intermediate, one of several outputs, a
dirty input, an input returned as it is) is written once for both libraries; for each, the first and
second derivatives, what backward sees of its saved tensors (requires_grad, whether it has a grad_fn,
and whether that is the Function's own node) and gradgradcheck's verdict must be PyTorch's.
"""
import numpy as np
import pytest
import torch

import dxdy


def functions(lib):
    """name -> (Function, how many tensor inputs it takes); the same code for dxdy and torch."""
    F = lib.autograd.Function
    seen = []  # what backward saw of its saved tensors, appended at each call

    def look(ctx, tensors):
        seen.append(tuple((t.requires_grad, t.grad_fn is not None, t.grad_fn is ctx) for t in tensors))

    class SaveInput(F):  # d/dx sin = cos, second derivative through the saved input
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            look(ctx, (x,))
            return g * x.cos()

    class SaveOutput(F):  # exp, saved as its own output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            look(ctx, (y,))
            return g * y

    class SaveIntermediate(F):  # an intermediate has no history: second derivatives miss it (PyTorch's docs)
        @staticmethod
        def forward(ctx, x):
            e = x.exp()
            ctx.save_for_backward(x, e)
            return e * 2

        @staticmethod
        def backward(ctx, g):
            x, e = ctx.saved_tensors
            look(ctx, (x, e))
            return g * e * 2

    class Sinh(F):  # PyTorch's "Double Backward with Custom Functions" tutorial: several outputs saved
        @staticmethod
        def forward(ctx, x):
            expx, expnegx = x.exp(), (-x).exp()
            ctx.save_for_backward(expx, expnegx)
            return (expx - expnegx) / 2, expx, expnegx

        @staticmethod
        def backward(ctx, g, g_expx, g_expnegx):
            expx, expnegx = ctx.saved_tensors
            look(ctx, (expx, expnegx))
            return g * (expx + expnegx) / 2 + g_expx * expx - g_expnegx * expnegx

    class SaveSecondOutput(F):  # saves output 1 of 2 only
        @staticmethod
        def forward(ctx, x):
            a, b = x * 3, x.exp()
            ctx.save_for_backward(b)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            b, = ctx.saved_tensors
            look(ctx, (b,))
            return ga * 3 + gb * b

    class MulDirty(F):  # changes its input in place, returns it and saves it (an output now)
        @staticmethod
        def forward(ctx, x):
            x.mul_(x)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors  # y = x0 ** 2, so dy/dx0 = 2 x0 = 2 sqrt(y)
            look(ctx, (y,))
            return g * 2 * y.sqrt()

    class ReturnInput(F):  # returns an input as it is: the output is a new tensor, the saved one the input
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x, x * w

        @staticmethod
        def backward(ctx, gx, gy):
            x, w = ctx.saved_tensors
            look(ctx, (x, w))
            return gx + gy * w, gy * x

    class Nested(F):  # backward calls another Function
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            look(ctx, (x, y))
            return SaveInput.apply(x) * 0 + SaveOutput.apply(x) * g

    class NewStyle(F):  # forward without ctx; setup_context saves the input and the output
        @staticmethod
        def forward(x, w):
            return x.tanh() * w

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, w = inputs
            ctx.save_for_backward(x, w, output)

        @staticmethod
        def backward(ctx, g):
            x, w, out = ctx.saved_tensors
            look(ctx, (x, w, out))
            t = x.tanh()
            return g * w * (1 - t * t), g * out / w

    table = {"SaveInput": (SaveInput, 1), "SaveOutput": (SaveOutput, 1), "SaveIntermediate": (SaveIntermediate, 1),
             "Sinh": (Sinh, 1), "SaveSecondOutput": (SaveSecondOutput, 1), "MulDirty": (MulDirty, 1),
             "ReturnInput": (ReturnInput, 2), "Nested": (Nested, 1), "NewStyle": (NewStyle, 2)}
    return table, seen


NAMES = list(functions(dxdy)[0])
X = np.array([-0.8, 0.3, 1.1])
W = np.array([0.5, -1.5, 2.0])


def run(lib, name):
    """First and second derivatives of the Function's outputs, and what its backward saw."""
    table, seen = functions(lib)
    fn, n_inputs = table[name]
    leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (X, W)[:n_inputs]]
    inputs = [t * 1 for t in leaves] if name == "MulDirty" else leaves  # an in-place op needs a non-leaf
    out = fn.apply(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    loss = sum(((k + 1.5) * o ** 2).sum() for k, o in enumerate(outs) if o.requires_grad)
    first = lib.autograd.grad(loss, leaves, create_graph=True)
    second = lib.autograd.grad(sum((g * g.detach().cos()).sum() for g in first), leaves, allow_unused=True)
    return [g.detach().numpy() for g in first], [None if g is None else g.numpy() for g in second], seen


@pytest.mark.parametrize("name", NAMES)
def test_second_derivatives_through_saved_tensors_match_torch(name):
    first, second, seen = run(dxdy, name)
    t_first, t_second, t_seen = run(torch, name)
    for a, b in zip(first, t_first):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert [g is None for g in second] == [g is None for g in t_second]
    for a, b in zip(second, t_second):
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert sorted(seen) == sorted(t_seen)  # (the order nodes run in is the engine's own)


@pytest.mark.parametrize("name", NAMES)
def test_the_same_through_saved_tensor_hooks(name):
    def hooked(lib):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: ("packed", t), lambda p: p[1]):
            return run(lib, name)
    first, second, seen = hooked(dxdy)
    t_first, t_second, t_seen = hooked(torch)
    for a, b in zip(first + second, t_first + t_second):
        assert (a is None) == (b is None)
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # (Under hooks a saved leaf comes back in dxdy through an identity node, AliasBackward0, where PyTorch's
    # has no grad_fn and shares the leaf's accumulator: docs/decisions.md. Whether each is the node's own
    # output and requires grad must agree.)
    def without_leaf_nodes(s):
        return sorted(tuple((rg, own) for rg, _, own in call) for call in s)
    assert without_leaf_nodes(seen) == without_leaf_nodes(t_seen)


@pytest.mark.parametrize("name", NAMES)
def test_gradgradcheck_agrees_with_torch(name):
    def verdict(lib):
        table, _ = functions(lib)
        fn, n_inputs = table[name]
        leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (X, W)[:n_inputs]]
        f = (lambda x: fn.apply(x * 1)) if name == "MulDirty" else fn.apply
        try:
            return lib.autograd.gradgradcheck(f, tuple(leaves))
        except Exception as e:  # GradcheckError: the verdict is what counts, not the message
            return type(e).__name__.replace("GradcheckError", "failed")
    assert verdict(dxdy) == verdict(torch)


def test_saved_output_outside_backward_has_the_node_as_grad_fn():
    def saved(lib):
        table, _ = functions(lib)
        x = lib.tensor(X, requires_grad=True)
        y = table["NewStyle"][0].apply(x, lib.tensor(W))
        s = y.grad_fn.saved_tensors
        return [(t.requires_grad, t.grad_fn is y.grad_fn, t is y) for t in s]
    assert saved(dxdy) == saved(torch)


def test_saved_tensors_without_grad_have_no_history():
    def saved(lib):
        table, seen = functions(lib)
        x = lib.tensor(X)
        y = table["SaveOutput"][0].apply(x)
        return y.requires_grad, y.grad_fn is None
    assert saved(dxdy) == saved(torch)


def test_mark_dirty_example_of_torchs_docs():
    """PyTorch's Function.mark_dirty docs: forward changes its input through numpy(), then a tensor that saved
    the input fails backward with the in-place error, naming the input as output 0 of the Function."""
    def run(lib):
        class Inplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x_npy = x.numpy()  # no grad mode inside forward: numpy() of a tensor that requires grad is allowed
                x_npy += 1
                ctx.mark_dirty(x)
                return x

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, grad_output):
                return grad_output

        a = lib.tensor(1., requires_grad=True, dtype=lib.double).clone()
        b = a * a
        Inplace.apply(a)
        printed = str(a).replace("torch.", "").replace("dxdy.", "")
        with pytest.raises(RuntimeError) as info:
            b.backward()
        return printed, str(info.value).split("\n")[0].replace("torch.", "").replace("dxdy.", "")
    assert run(dxdy) == run(torch)
