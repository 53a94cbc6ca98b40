"""Custom autograd.Function and the numerical checks, against PyTorch."""
import numpy as np
import pytest
import torch

import dxdy


def make_functions(lib):
    """The same custom Functions written for `lib` (dxdy or torch)."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return k * x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.k * 3 * x ** 2, None

    class MulAdd(lib.autograd.Function):  # new style: forward without ctx, then setup_context
        @staticmethod
        def forward(x, y, z):
            return x * y + z

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, z = inputs
            ctx.save_for_backward(x, y)
            ctx.flags = ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return (g * y if ctx.needs_input_grad[0] else None, g * x if ctx.needs_input_grad[1] else None,
                    g if ctx.needs_input_grad[2] else None)

    class SortWithIndex(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = lib.zeros_like(g)
            out[idx] = g
            return out

    class SplitTwo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            total = None
            for g, k in ((ga, 2), (gb, 3)):
                if g is not None:
                    total = g * k if total is None else total + g * k
            return total

    class AddOneInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Once(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp()

    return Cube, MulAdd, SortWithIndex, SplitTwo, AddOneInPlace, Once


D, T = make_functions(dxdy), make_functions(torch)


def same(d, t):
    assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy.")
    np.testing.assert_allclose(np.asarray(d.detach()._data), t.detach().numpy(), rtol=1e-6, atol=1e-7)


def both(fn):
    return fn(dxdy, D), fn(torch, T)


def test_forward_backward_with_saved_tensors_and_ctx_attributes():
    def run(lib, F):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = F[0].apply(x, 2.0)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name()
    (dy, dg, dn), (ty, tg, tn) = both(run)
    same(dy, ty)
    same(dg, tg)
    assert dn == tn == "CubeBackward"


def test_setup_context_and_needs_input_grad():
    def run(lib, F):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0])
        z = lib.tensor([5.0, 6.0], requires_grad=True)
        out = F[1].apply(x, y, z)
        out.sum().backward()
        return x.grad, z.grad, out.grad_fn.flags
    (dx, dz, df), (tx, tz, tf) = both(run)
    same(dx, tx)
    same(dz, tz)
    assert df == tf == (True, False, True)


def test_mark_non_differentiable_outputs():
    def run(lib, F):
        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        values, idx = F[2].apply(x)
        (values * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        return x.grad, idx.requires_grad, values.requires_grad
    (dg, di, dv), (tg, ti, tv) = both(run)
    same(dg, tg)
    assert (di, dv) == (ti, tv) == (False, True)


def test_set_materialize_grads_false_passes_none_for_unused_outputs():
    def run(lib, F):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = F[3].apply(x)
        a.sum().backward()
        return x.grad
    same(*both(run))


def test_mark_dirty_in_place_forward():
    def run(lib, F):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = F[4].apply(y)
        (z * z).sum().backward()
        return z, x.grad, z is y, y._version
    (dz, dg, dsame, dv), (tz, tg, tsame, tv) = both(run)
    same(dz, tz)
    same(dg, tg)
    assert (dsame, dv) == (tsame, tv)


def test_once_differentiable_backward_records_nothing():
    x = dxdy.tensor([0.5, 1.0], requires_grad=True)
    y = D[5].apply(x)
    (g,) = dxdy.autograd.grad(y.sum(), x, create_graph=True)
    assert not g.requires_grad
    np.testing.assert_allclose(g.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)


def test_double_backward_through_a_function():
    def run(lib, F):
        x = lib.tensor([1.0, 2.0], requires_grad=True, dtype=lib.float64)
        y = F[0].apply(x, 1.0).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h
    (dg, dh), (tg, th) = both(run)
    same(dg, tg)
    same(dh, th)


def test_wrong_number_of_gradients():
    class Bad(dxdy.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = dxdy.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BadBackward returned an incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(x, x).sum().backward()


def test_gradient_of_wrong_shape():
    class Bad(dxdy.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return dxdy.ones(5)

    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0"):
        Bad.apply(dxdy.ones(2, requires_grad=True)).sum().backward()


def test_saved_tensors_freed_after_backward():
    x = dxdy.ones(2, requires_grad=True)
    y = D[0].apply(x, 1.0)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_gradcheck_passes_and_catches_a_wrong_backward():
    x = dxdy.tensor([0.3, -1.2, 2.0], dtype=dxdy.float64, requires_grad=True)
    assert dxdy.autograd.gradcheck(lambda t: D[0].apply(t, 2.0), (x,))
    assert dxdy.autograd.gradgradcheck(lambda t: D[0].apply(t, 2.0), (x,))

    class Wrong(dxdy.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t.sin()

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * t.cos() * 1.01

    with pytest.raises(dxdy.autograd.GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        dxdy.autograd.gradcheck(Wrong.apply, (x,))
    assert dxdy.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradcheck_of_builtin_ops_with_several_inputs_and_outputs():
    a = dxdy.randn(2, 3, dtype=dxdy.float64, requires_grad=True)
    b = dxdy.randn(3, 2, dtype=dxdy.float64, requires_grad=True)
    assert dxdy.autograd.gradcheck(lambda p, q: (p @ q, (p * 2).sum()), (a, b))
    assert dxdy.autograd.gradgradcheck(lambda p, q: (p @ q).tanh(), (a, b))
