"""The engine's semantics, bullet by bullet, with PyTorch as the oracle where behaviour is visible."""
import gc
import threading
import warnings
import weakref

import numpy as np
import pytest
import torch

import dxdy


def both(fn):
    """Run `fn(lib)` with dxdy and with torch; return both results."""
    return fn(dxdy), fn(torch)


def same(d, t):
    assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy."), (d.dtype, t.dtype)
    np.testing.assert_allclose(np.asarray(d.detach()._data), t.detach().numpy(), rtol=1e-6, atol=1e-7)


def raises_like(fn):
    """fn(lib) raises the same exception type, with the same first line, in dxdy as in torch."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as d_err:
        fn(dxdy)
    assert type(d_err.value).__name__ == type(t_err.value).__name__, (d_err.value, t_err.value)
    first = str(t_err.value).splitlines()[0].replace("torch.", "dxdy.")
    assert str(d_err.value).splitlines()[0].replace("torch.", "dxdy.").startswith(first[:60]), \
        (str(d_err.value), str(t_err.value))
    return d_err.value


# -- backward and accumulation -------------------------------------------------------------
def test_leaf_gradients_accumulate_across_calls():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    d, t = both(run)
    same(d, t)
    assert isinstance(d, dxdy.Tensor) and d.grad_fn is None and not d.requires_grad


def test_grad_zero_and_data_zero_reset_accumulation():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        x.grad.zero_()
        (x * x).sum().backward()
        x.grad.data.zero_()
        (x * 5).sum().backward()
        return x.grad
    same(*both(run))


def test_grad_is_not_shared_between_leaves_or_with_the_root_gradient():
    x = dxdy.ones(3, requires_grad=True)
    y = dxdy.ones(3, requires_grad=True)
    v = dxdy.tensor([1.0, 2.0, 3.0])
    (x + y).backward(v)
    x.grad.add_(100)
    assert y.grad.tolist() == [1.0, 2.0, 3.0]
    assert v.tolist() == [1.0, 2.0, 3.0]
    (x + y).backward(v)
    assert v.tolist() == [1.0, 2.0, 3.0] and y.grad.tolist() == [2.0, 4.0, 6.0]


def test_grad_of_broadcast_sum_is_writable_and_owned():
    x = dxdy.ones(2, 3, requires_grad=True)
    x.sum().backward()
    x.grad.mul_(2)  # a read-only broadcast view would make this fail
    x.sum().backward()
    assert x.grad.tolist() == [[3.0] * 3] * 2


def test_non_scalar_backward_computes_vector_jacobian_product():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True, dtype=float)
        y = lib.tensor([3.0, 4.0, 5.0, 6.0], requires_grad=True, dtype=float)
        z = x * y
        z.backward(lib.tensor([2, 3, 4, 5]).reshape(z.shape))  # an int64 gradient is cast
        return x.grad, y.grad
    (dx, dy), (tx, ty) = both(run)
    same(dx, tx)
    same(dy, ty)


def test_sum_backward_equals_backward_with_ones():
    x = dxdy.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    a = x.grad.clone()
    x.grad = None
    y = x * x
    y.backward(dxdy.ones_like(y))
    assert dxdy.equal(a, x.grad)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mixed_dtype_graph_gives_grads_in_each_leafs_dtype(dtype):
    def run(lib):
        a = lib.tensor([1.0, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        b = lib.tensor([3.0, 4.0], dtype=lib.float64 if dtype == "float32" else lib.float32, requires_grad=True)
        (a * b + a).sum().backward()
        return a.grad, b.grad
    (da, db), (ta, tb) = both(run)
    same(da, ta)
    same(db, tb)


# -- errors ----------------------------------------------------------------------------------------
def test_backward_of_non_scalar_without_gradient():
    raises_like(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward())


def test_backward_with_gradient_of_wrong_shape():
    raises_like(lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3)))


def test_second_backward_through_freed_graph():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    raises_like(run)


def test_retain_graph_allows_a_second_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    same(*both(run))


def test_graph_without_saved_tensors_can_be_run_twice():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    same(*both(run))


def test_backward_of_tensor_that_does_not_require_grad():
    raises_like(lambda lib: lib.ones(3).sum().backward())


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_requires_grad_on_non_floating_tensor(dtype):
    raises_like(lambda lib: lib.ones(3, dtype=getattr(lib, dtype)).requires_grad_())
    raises_like(lambda lib: lib.zeros(2, dtype=getattr(lib, dtype), requires_grad=True))


def test_grad_of_unused_input():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        w = lib.ones(2, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), [x, w])
    raises_like(run)


def test_allow_unused_and_materialize_grads():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        w = lib.ones(2, requires_grad=True)
        a = lib.autograd.grad((x * 2).sum(), [x, w], allow_unused=True, retain_graph=True)
        b = lib.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
        return a, b
    (da, db), (ta, tb) = both(run)
    same(da[0], ta[0])
    assert da[1] is None and ta[1] is None
    same(db[1], tb[1])


def test_changing_requires_grad_of_non_leaf():
    raises_like(lambda lib: setattr(lib.ones(2, requires_grad=True) * 2, "requires_grad", False))


def test_numpy_of_tensor_requiring_grad():
    raises_like(lambda lib: lib.ones(2, requires_grad=True).numpy())


# -- non-leaf gradients ------------------------------------------------------------------------------
def test_non_leaf_grad_is_none_with_warning():
    y = dxdy.ones(2, requires_grad=True) * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None


def test_retain_grad_keeps_non_leaf_gradient():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, y.retains_grad, x.retains_grad
    (d, dr, dx), (t, tr, tx) = both(run)
    same(d, t)
    assert (dr, dx) == (tr, tx) == (True, False)


# -- autograd.grad ----------------------------------------------------------------------------------
def test_grad_returns_gradients_without_touching_dot_grad():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    (g,) = dxdy.autograd.grad((x ** 3).sum(), x)
    assert g.tolist() == [3.0, 12.0] and x.grad is None


def test_grad_with_respect_to_non_leaf():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * x
        return lib.autograd.grad((h * 3).sum(), h)[0]
    same(*both(run))


def test_grad_with_several_outputs_and_grad_outputs():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a, b = x.sin(), x * x
        return lib.autograd.grad([a, b], x, [lib.ones(3), lib.tensor([1.0, 0.5, 2.0])])[0]
    same(*both(run))


def test_create_graph_third_derivative_of_cube_is_six():
    x = dxdy.tensor(2.0, requires_grad=True)
    (g1,) = dxdy.autograd.grad(x ** 3, x, create_graph=True)
    (g2,) = dxdy.autograd.grad(g1, x, create_graph=True)
    (g3,) = dxdy.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (12.0, 12.0, 6.0)
    assert g1.grad_fn is not None and g3.grad_fn is None


def test_create_graph_through_backward_gives_grad_with_graph():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return g, x.grad, g.grad_fn.name()
    (dg, dx, dn), (tg, tx, tn) = both(run)
    same(dg, tg)
    same(dx, tx)
    assert dn == tn.replace("torch::", "dxdy::")


def test_hessian_vector_product_matches_torch():
    def run(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True, dtype=lib.float64)
        y = (x.sin() * x.exp()).sum() + (x * x).prod()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        v = lib.tensor([1.0, 2.0, -1.0], dtype=lib.float64)
        return lib.autograd.grad(g, x, v)[0]
    same(*both(run))


def test_backward_inputs_accumulates_only_into_those():
    def run(lib):
        a = lib.tensor(1.0, requires_grad=True)
        b = lib.tensor(2.0, requires_grad=True)
        (a * b).backward(inputs=[a])
        return a.grad, b.grad
    (da, db), (ta, tb) = both(run)
    same(da, ta)
    assert db is None and tb is None


# -- hooks ---------------------------------------------------------------------------------------------
def test_tensor_hook_replaces_gradient_and_can_be_removed():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        first = x.grad.clone()
        h.remove()
        x.grad = None
        (x * x).sum().backward()
        return first, x.grad
    (d1, d2), (t1, t2) = both(run)
    same(d1, t1)
    same(d2, t2)


def test_non_leaf_hook_sees_and_changes_the_gradient_flowing_on():
    seen = {}

    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: seen.setdefault(lib.__name__, g.clone()) * 0 + 2 * g)
        (y * y).sum().backward()
        return x.grad
    same(*both(run))
    same(seen["dxdy"], seen["torch"])


def test_node_pre_and_post_hooks():
    log = {"dxdy": [], "torch": []}

    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: log[lib.__name__].append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log[lib.__name__].append(("post", [round(v, 4) for v in
                                                                                  gi[0].tolist()])))
        y.sum().backward()
        return x.grad
    same(*both(run))
    assert log["dxdy"] == log["torch"]


def test_post_accumulate_grad_hook():
    log = {"dxdy": [], "torch": []}

    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: log[lib.__name__].append(t.grad.tolist()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
    both(run)
    assert log["dxdy"] == log["torch"] == [[2.0, 2.0], [5.0, 5.0]]


def test_hook_on_tensor_that_does_not_require_grad():
    raises_like(lambda lib: lib.ones(2).register_hook(lambda g: g))


# -- grad mode -------------------------------------------------------------------------------------
def test_no_grad_context_and_decorators():
    x = dxdy.ones(2, requires_grad=True)
    with dxdy.no_grad():
        assert not (x * 2).requires_grad
        with dxdy.enable_grad():
            assert (x * 2).requires_grad

    @dxdy.no_grad
    def bare(t):
        return t * 2

    @dxdy.no_grad()
    def called(t):
        return t * 2

    @dxdy.enable_grad()
    def enabled(t):
        return t * 2

    assert not bare(x).requires_grad and not called(x).requires_grad
    with dxdy.no_grad():
        assert enabled(x).requires_grad
    assert dxdy.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    with dxdy.set_grad_enabled(False):
        assert not dxdy.is_grad_enabled()
    assert dxdy.is_grad_enabled()
    dxdy.set_grad_enabled(False)
    try:
        assert not dxdy.is_grad_enabled()
    finally:
        dxdy.set_grad_enabled(True)

    @dxdy.set_grad_enabled(False)
    def f(t):
        return t * 2
    assert dxdy.is_grad_enabled()
    assert not f(dxdy.ones(1, requires_grad=True)).requires_grad


def test_inference_mode():
    x = dxdy.ones(2, requires_grad=True)
    with dxdy.inference_mode():
        assert not (x * 2).requires_grad and dxdy.is_inference_mode_enabled()
    with dxdy.inference_mode(False):
        assert (x * 2).requires_grad
    assert not dxdy.is_inference_mode_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    ready = threading.Event()
    go = threading.Event()

    def worker():
        seen.append(dxdy.is_grad_enabled())
        ready.set()
        go.wait(5)
        seen.append(dxdy.is_grad_enabled())

    with dxdy.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        ready.wait(5)
        go.set()
        t.join(5)
    assert seen == [True, True]


def test_two_threads_backward_separate_graphs_at_once():
    barrier = threading.Barrier(2)
    results = {}

    def worker(k):
        x = dxdy.tensor([1.0, 2.0, 3.0], dtype=dxdy.float64, requires_grad=True)
        barrier.wait(5)
        for _ in range(200):
            x.grad = None
            ((x * k).sin() * x).sum().backward()
        results[k] = x.grad.numpy()

    threads = [threading.Thread(target=worker, args=(k,)) for k in (1.0, 2.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for k in (1.0, 2.0):
        x = np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(results[k], k * x * np.cos(k * x) + np.sin(k * x), rtol=1e-12)


# -- in-place ops and the version counter --------------------------------------------------------------
def test_in_place_on_leaf_that_requires_grad():
    raises_like(lambda lib: lib.ones(2, requires_grad=True).add_(1))
    raises_like(lambda lib: lib.ones(2, requires_grad=True).mul_(2))


def test_in_place_on_leaf_under_no_grad_is_allowed_and_bumps_version():
    def run(lib):
        w = lib.ones(2, requires_grad=True)
        v0 = w._version
        with lib.no_grad():
            w -= 0.5
        return w, v0, w._version
    (dw, d0, d1), (tw, t0, t1) = both(run)
    same(dw, tw)
    assert (d0, d1) == (t0, t1) == (0, 1) and dw.requires_grad and dw.is_leaf


def test_data_update_does_not_bump_version():
    def run(lib):
        w = lib.ones(2, requires_grad=True)
        (w * 2).sum().backward()
        w.data -= 0.1 * w.grad
        return w, w._version
    (dw, dv), (tw, tv) = both(run)
    same(dw, tw)
    assert dv == tv == 0


def test_modifying_a_saved_tensor_is_detected():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        z = (x * x).exp()
        z.add_(1)
        z.sum().backward()
    err = raises_like(run)
    assert "version 1; expected version 0" in str(err)


def test_modifying_a_saved_input_is_detected():
    def run(lib):
        w = lib.ones(2, requires_grad=True)
        a = lib.ones(2) * 3
        y = w * a
        a.mul_(2)
        y.sum().backward()
    raises_like(run)


def test_modifying_a_view_of_a_saved_tensor_is_detected():
    def run(lib):
        w = lib.ones(3, requires_grad=True)
        a = lib.ones(3) * 3
        y = w * a
        a[1:].mul_(2)
        y.sum().backward()
    raises_like(run)


def test_in_place_on_non_leaf_records_the_op():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 5.0], requires_grad=True)
        a = x * 1
        a.mul_(b)
        a.add_(2)
        a += x
        a.sum().backward()
        return x.grad, b.grad, a.grad_fn.name(), a._version
    (dx, db, dn, dv), (tx, tb, tn, tv) = both(run)
    same(dx, tx)
    same(db, tb)
    assert dn == tn.replace("torch::", "dxdy::") and dv == tv


def test_in_place_result_dtype_cannot_widen_category():
    raises_like(lambda lib: lib.ones(2, dtype=lib.int64).add_(1.5))


# -- graph introspection ---------------------------------------------------------------------------
def test_next_functions_and_accumulate_grad():
    x = dxdy.ones(2, requires_grad=True)
    y = dxdy.ones(2)
    z = x * y
    (acc, nr), (none, nr2) = z.grad_fn.next_functions
    assert acc.variable is x and nr == 0 and none is None
    assert type(acc).__name__ == "AccumulateGrad"
    w = (z * 2).sin()
    assert w.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert w.grad_fn.next_functions[0][0].next_functions[0][0] is z.grad_fn


def test_saved_attributes():
    x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    m = x * x
    assert m.grad_fn._saved_self is x and m.grad_fn._saved_other is x
    e = x.exp()
    r = e.grad_fn._saved_result
    assert dxdy.equal(r, e) and r is not e
    s = x.sum(0)
    assert s.grad_fn._saved_dim == (0,)
    assert s.grad_fn._saved_self_sym_sizes == (2,) or s.grad_fn._saved_x_shape == (2,)
    (e * 1).sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        e.grad_fn._saved_result


def test_variable_and_legacy_constructors():
    v = dxdy.autograd.Variable(dxdy.ones(2), requires_grad=True)
    assert v.requires_grad and isinstance(v, dxdy.Tensor)
    assert isinstance(dxdy.ones(1), dxdy.autograd.Variable)
    assert dxdy.FloatTensor([1, 2]).dtype == dxdy.float32
    assert dxdy.DoubleTensor([1, 2]).dtype == dxdy.float64
    assert dxdy.LongTensor([1, 2]).dtype == dxdy.int64
    assert dxdy.FloatTensor(2, 3).shape == (2, 3)
    assert dxdy.Tensor([1, 2]).dtype == dxdy.float32


def test_version_counter_and_equal():
    x = dxdy.ones(3)
    assert x._version == 0
    x.add_(1)
    x[0] = 5
    assert x._version == 2
    assert dxdy.ones(2).equal(dxdy.ones(2)) and not dxdy.ones(2).equal(dxdy.ones(3))


# -- memory and depth ----------------------------------------------------------------------------------
def test_saved_arrays_are_released_after_backward():
    x = dxdy.randn(4, requires_grad=True)
    h = (x * 2).exp()
    y = (h.sin() * h).sum()
    nodes = []
    stack = [y.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or not hasattr(n, "saved"):
            continue
        nodes.append(n)
        stack.extend(f for f, _ in n.next_functions)
    holders = [n for n in nodes if n.frees]  # nodes that saved arrays (others keep only shapes)
    assert holders and all(n.saved for n in holders)
    y.backward()
    assert all(n.saved is None for n in holders)


def test_graph_is_collectable_after_backward():
    x = dxdy.randn(1000, requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h.grad_fn)
    y = (h * h).sum()
    del h
    y.backward()
    del y
    gc.collect()
    assert ref() is None


def test_saved_result_does_not_make_a_reference_cycle():
    x = dxdy.randn(3, requires_grad=True)
    gc.disable()
    try:
        e = x.exp()
        r = weakref.ref(e)
        del e
        assert r() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_chain_of_a_million_ops_backpropagates():
    x = dxdy.tensor(1.0, dtype=dxdy.float64, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert abs(x.grad.item() - 1.0000001 ** 1_000_000) < 1e-9
    del y  # the chain must also be freed without recursion


def test_in_place_on_views_rewrites_the_base_history():
    def run(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        w = lib.tensor([2.0, 3.0, 4.0], requires_grad=True)
        y = x * 1
        y[0].mul_(w)
        y[1][2] = w[0] * 10
        y.t()[1].add_(1)
        (y * y).sum().backward()
        return x.grad, w.grad, y.grad_fn.name()
    (dx, dw, dn), (tx, tw, tn) = both(run)
    same(dx, tx)
    same(dw, tw)
    assert dn == tn.replace("torch::", "dxdy::")


def test_writing_a_tensor_that_requires_grad_into_a_view_of_a_plain_tensor():
    def run(lib):
        h = lib.zeros(2, 3)
        v = lib.tensor(2.0, requires_grad=True)
        h[0][1] = v
        (h * 3).sum().backward()
        return v.grad, h.requires_grad
    (dv, dr), (tv, tr) = both(run)
    same(dv, tv)
    assert dr and tr


def test_in_place_on_view_of_leaf_that_requires_grad():
    raises_like(lambda lib: lib.ones(3, requires_grad=True)[0].add_(1))


def test_other_views_see_an_in_place_change_of_their_memory():
    # After a write through the base or one view, every other live view (views of views too)
    # differentiates through the new history, not the one it was made with.
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x * 1
        a = y[:3]
        b = a[1:]                      # a view of a view
        c = y.view(2, 2).t()[1]        # a chain of view ops
        d = y.reshape(-1)[:3].reshape(3, 1).expand(3, 2)
        a.mul_(3)                      # through a view: y's history is rewritten
        y.mul_(2)                      # through the base
        (b.sum() + 10 * c.sum() + 100 * d.sum() + 1000 * y.sum()).backward()
        return x.grad, b.requires_grad
    (dg, dr), (tg, tr) = both(run)
    same(dg, tg)
    assert dr and tr


def test_a_view_of_a_plain_tensor_requires_grad_once_its_base_does():
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a = lib.zeros(3)
        v = a[1:]
        a.copy_(w * w)
        (v * lib.tensor([5.0, 7.0])).sum().backward()
        return w.grad, v.requires_grad
    (dg, dr), (tg, tr) = both(run)
    same(dg, tg)
    assert dr and tr


@pytest.mark.parametrize("case", ["split", "chunk", "unbind_of_slice", "no_grad"])
def test_writing_through_a_view_pytorch_forbids(case):
    def run(lib):
        y = lib.ones(4, requires_grad=True) * 1
        if case == "no_grad":
            with lib.no_grad():
                v = y[:2]
        else:
            v = {"split": lambda: y.split(2)[0], "chunk": lambda: y.chunk(2)[1],
                 "unbind_of_slice": lambda: y.view(2, 2)[1:].unbind()[0]}[case]()
        v.mul_(2)
    raises_like(run)


@pytest.mark.parametrize("case", ["split", "no_grad"])
def test_backward_through_a_forbidden_view_after_its_base_changed(case):
    # PyTorch refuses when the view is used; dxdy when backward reaches it (same error and message).
    def run(lib):
        y = lib.ones(4, requires_grad=True) * 1
        if case == "no_grad":
            with lib.no_grad():
                v = y[:2]
        else:
            v = y.split(2)[0]
        y.add_(1)
        (v * 2).sum().backward()
    err = raises_like(run)
    assert "its base or another view of its base has been modified inplace" in str(err)


def test_in_place_on_a_view_under_no_grad_keeps_other_histories():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        v = y[1:]
        with lib.no_grad():
            v.mul_(10)                 # not recorded: gradients stay those of y = 2x
        (y.sum() + v.sum()).backward()
        return x.grad, y
    (dg, dy), (tg, ty) = both(run)
    same(dg, tg)
    same(dy, ty)


def test_base_is_the_tensor_that_owns_the_memory():
    a = dxdy.zeros(2, 3)
    v = a.t()[1:]
    assert v._base is a and v._is_view() and a._base is None and not a._is_view()
    assert v.detach()._base is None
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        v.detach_()


def test_big_gradients_that_meet_are_summed_correctly_and_never_alias():
    # Sums of big gradients may reuse a buffer the engine holds alone; shared ones must not be touched.
    n = 100_000
    x = dxdy.tensor(np.linspace(-1, 1, n), requires_grad=True)
    v = dxdy.ones(n, dtype=dxdy.float64)
    y = x * 2 + x.sin() + (x * 3) + x  # several contributions meet at x, one of them passed on unchanged
    y.backward(v)
    a = np.linspace(-1, 1, n)
    np.testing.assert_allclose(x.grad.numpy(), 2 + np.cos(a) + 3 + 1, rtol=1e-12)
    assert v.numpy().tolist()[:3] == [1.0, 1.0, 1.0]
    w = dxdy.tensor(np.linspace(-1, 1, n), requires_grad=True)
    (w + w).backward(v)  # the same array reaches w twice: the sum must be a new array
    np.testing.assert_allclose(w.grad.numpy(), 2.0)


def test_big_saved_results_are_reused_only_when_nothing_else_needs_them():
    n = 100_000
    a = np.linspace(-1, 1, n)
    x = dxdy.tensor(a, requires_grad=True)
    e = x.exp()
    (e * 1).sum().backward()  # e is still the user's: its values must survive backward
    np.testing.assert_allclose(e.detach().numpy(), np.exp(a))
    np.testing.assert_allclose(x.grad.numpy(), np.exp(a))
    x.grad = None
    y = x.exp().sum()
    y.backward(retain_graph=True)  # kept for a second pass: must not be clobbered
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(a))
    x.grad = None
    h = x.exp()
    (h * h).sum().backward()  # h saved twice (by exp and by mul)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * a))


def test_big_gradients_reused_in_place_stay_visible_to_hooks_and_captures():
    n = 100_000
    a = np.linspace(-1, 1, n)
    x = dxdy.tensor(a, requires_grad=True)
    y = -(x.exp())
    seen = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_outputs[0].clone()))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -np.exp(a))
    np.testing.assert_allclose(seen[0].numpy(), 1.0)  # the hook sees the gradient the node received
    h = x.exp()
    m = -(-(-h))
    (g,) = dxdy.autograd.grad(m.sum(), [h])
    np.testing.assert_allclose(g.numpy(), -1.0)


def _relu_cases(lib, a, w):
    """Gradients reaching relu in every way that may or may not let its rule write into them."""
    x = lib.tensor(a, requires_grad=True)
    out = {}
    (x.relu() * w).sum().backward()  # the engine alone holds relu's gradient: it may be reused
    out["alone"] = x.grad.clone()
    x.grad = None
    y = x * w
    (y.relu() + (y * 2).relu()).sum().backward()  # one array reaches both relus
    out["shared"] = x.grad.clone()
    x.grad = None
    r = x.relu()
    m = r * w
    m.retain_grad()
    seen = []
    m.register_hook(lambda g: seen.append(g))
    m.relu().sum().backward()  # a hook and retain_grad keep the gradient
    out["retained"], out["hooked"], out["x.grad"] = m.grad, seen[0], x.grad.clone()
    x.grad = None
    gout = w.clone()
    x.relu().backward(gout)  # the user's gradient
    out["user"], out["gout"] = x.grad.clone(), gout
    (g,) = lib.autograd.grad((x.relu() * w).sum(), x, create_graph=True)
    out["create_graph"] = g.detach()
    return out


def test_relu_writes_into_its_gradient_only_when_nothing_else_holds_it():
    n = 100_000
    a = np.linspace(-1, 1, n)
    b = np.cos(np.arange(n))
    got = _relu_cases(dxdy, a, dxdy.tensor(b))
    want = _relu_cases(torch, a, torch.tensor(b))
    for k in want:
        np.testing.assert_array_equal(got[k].numpy(), want[k].numpy(), err_msg=k)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"), dxdy.autograd.detect_anomaly():
        anomalous = _relu_cases(dxdy, a, dxdy.tensor(b))
    for k in want:
        np.testing.assert_array_equal(anomalous[k].numpy(), want[k].numpy(), err_msg=k)


def test_temporaries_are_reused_only_when_nothing_else_sees_them():
    # NOTE [Reusing temporaries]: `(x * w) + 1` may write into the product's array, never into
    # an array that a name, a view, a container, the user's NumPy array or a saved value holds.
    n = 100_000
    a = np.linspace(-1, 1, n)
    x = dxdy.tensor(a, requires_grad=True)
    w = dxdy.tensor(np.full(n, 2.0))
    np.testing.assert_allclose(((x * w) + 1.0).detach().numpy(), 2 * a + 1)
    p = x * w
    p + 1.0
    t = x * w
    v = t[:10]
    t + 1.0
    e = x.exp()
    e + 1.0
    kept = [x * w]
    kept[0] - 1.0
    user = np.full(n, 3.0)
    dxdy.from_numpy(user) + 1.0
    w.data + 1.0
    np.testing.assert_allclose(p.detach().numpy(), 2 * a)
    np.testing.assert_allclose(v.detach().numpy(), 2 * a[:10])
    np.testing.assert_allclose(e.detach().numpy(), np.exp(a))
    np.testing.assert_allclose(kept[0].detach().numpy(), 2 * a)
    np.testing.assert_allclose(user, 3.0)
    np.testing.assert_allclose(w.numpy(), 2.0)
    ((x * w) + (x.sin() * 3) - x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 + 3 * np.cos(a) - 1)


@pytest.mark.parametrize("op", ["relu", "exp", "tanh"])
def test_unary_ops_reuse_only_temporaries(op):
    # relu(x * 2) may write into the product's array; never into a named tensor, a view's base, a leaf
    # that requires grad (the graph shows it), or an array the user holds.
    n = 100_000
    a = np.linspace(-1, 1, n)
    f = {"relu": lambda v: np.maximum(v, 0), "exp": np.exp, "tanh": np.tanh}[op]
    fn = getattr(dxdy, op)
    x = dxdy.tensor(a, requires_grad=True)
    np.testing.assert_allclose(fn(x * 2).detach().numpy(), f(2 * a))
    p = x * 2
    fn(p)
    t = x * 2
    v = t[:5]
    fn(t)
    leaf = dxdy.tensor(a.copy(), requires_grad=True)
    y = fn(leaf * 1) + fn(dxdy.tensor(a.copy(), requires_grad=True))
    user = np.full(n, 0.5)
    fn(dxdy.from_numpy(user))
    np.testing.assert_allclose(p.detach().numpy(), 2 * a)
    np.testing.assert_allclose(v.detach().numpy(), 2 * a[:5])
    np.testing.assert_allclose(y.grad_fn.next_functions[1][0].next_functions[0][0].variable.detach().numpy(), a)
    np.testing.assert_allclose(user, 0.5)
    # the gradient through a reused array is the op's own
    xt = torch.tensor(a, requires_grad=True)
    getattr(torch, op)(xt * 2).sum().backward()
    fn(x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


SAVED_CASES = {
    "divide by a constant": lambda lib, a, c, cg: a / c, "multiply by a constant": lambda lib, a, c, cg: a * c,
    "exp saves its result": lambda lib, a, c, cg: a.exp(), "square": lambda lib, a, c, cg: a * a,
    "divide a constant": lambda lib, a, c, cg: c / a, "sin": lambda lib, a, c, cg: a.sin(),
    "multiply by a grad tensor": lambda lib, a, c, cg: a * cg, "power": lambda lib, a, c, cg: a ** c,
    "constant to a power": lambda lib, a, c, cg: c ** a, "atan2": lambda lib, a, c, cg: lib.atan2(a, c),
    "matmul": lambda lib, a, c, cg: a @ c, "mm": lambda lib, a, c, cg: a.view(1, 2) @ c.view(2, 1),
    "maximum": lambda lib, a, c, cg: lib.maximum(a, c), "where": lambda lib, a, c, cg: lib.where(c > 3, a, c),
    "lerp": lambda lib, a, c, cg: lib.lerp(a, c, 0.5),
}


@pytest.mark.parametrize("case", SAVED_CASES)
def test_changing_a_tensor_only_a_gradient_not_wanted_needs(case):
    # PyTorch saves x for x * c only when c requires grad: changing x in place is an error only then.
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        v = SAVED_CASES[case](lib, a, lib.tensor([3.0, 4.0]), lib.tensor([3.0, 4.0], requires_grad=True))
        a.add_(1)
        try:
            v.sum().backward()
        except RuntimeError as e:
            return str(e).split(",")[0]
        return x.grad
    d, t = both(run)
    if isinstance(t, str):
        assert d == t.replace("torch.", "dxdy.")
    else:
        same(d, t)


SECOND_BACKWARD_CASES = {
    "index_select": lambda lib, x: lib.index_select(x, 0, lib.tensor([1])),
    "gather": lambda lib, x: lib.gather(x, 1, lib.tensor([[1], [0]])),
    "scatter a value": lambda lib, x: x.scatter(1, lib.tensor([[1], [0]]), 5.0),
    "scatter_add": lambda lib, x: x.scatter_add(1, lib.tensor([[1], [0]]), x[:, :1] * 1),
    "masked_fill": lambda lib, x: x.masked_fill(lib.tensor([[True, False], [False, True]]), 0.0),
    "masked_fill by a tensor": lambda lib, x: x.masked_fill(lib.tensor([[True, False], [False, True]]),
                                                           lib.tensor(0.0)),
    "masked_select": lambda lib, x: x.masked_select(lib.tensor([[True, False], [False, True]])),
    "index by a tensor": lambda lib, x: x[lib.tensor([1, 0])],
    "index by a mask": lambda lib, x: x[lib.tensor([[True, False], [False, True]])],
    "slice": lambda lib, x: x[0, 1:],
    "take_along_dim": lambda lib, x: lib.take_along_dim(x, lib.tensor([[1], [0]]), 1),
    "where": lambda lib, x: lib.where(lib.tensor([[True, False], [False, True]]), x, 0.0),
    "sum": lambda lib, x: x.sum(0),
    "max_pool2d": lambda lib, x: lib.nn.functional.max_pool2d(x.view(1, 1, 2, 2), 2),
    "avg_pool2d": lambda lib, x: lib.nn.functional.avg_pool2d(x.view(1, 1, 2, 2), 2),
    "adaptive_avg_pool2d": lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x.view(1, 1, 2, 2), 1),
    "embedding": lambda lib, x: lib.nn.functional.embedding(lib.tensor([1, 0, 1]), x),
}


@pytest.mark.parametrize("case", SECOND_BACKWARD_CASES)
def test_second_backward_fails_where_pytorch_freed_what_the_node_saved(case):
    # Index tensors and masks are saved as tensors in PyTorch, and freed by the first backward.
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = SECOND_BACKWARD_CASES[case](lib, x)
        y.sum().backward()
        try:
            y.sum().backward()
        except RuntimeError as e:
            return str(e).split(".")[0]
        return x.grad
    d, t = both(run)
    if isinstance(t, str):
        assert d == t
    else:
        same(d, t)


IN_PLACE_ACTIVATIONS = {
    "relu": lambda F, y: F.relu(y, inplace=True), "hardtanh": lambda F, y: F.hardtanh(y, inplace=True),
    "relu6": lambda F, y: F.relu6(y, inplace=True), "elu": lambda F, y: F.elu(y, inplace=True),
    "leaky_relu": lambda F, y: F.leaky_relu(y, 0.1, inplace=True),
    "leaky_relu slope 0": lambda F, y: F.leaky_relu(y, 0.0, inplace=True),
    "leaky_relu negative slope": lambda F, y: F.leaky_relu(y, -0.1, inplace=True),
    "elu negative alpha": lambda F, y: F.elu(y, -1.0, inplace=True),
}


@pytest.mark.parametrize("case", IN_PLACE_ACTIVATIONS)
def test_in_place_activations_differentiate_from_their_result(case):
    def run(lib):
        x = lib.tensor([-2.0, -0.5, 0.5, 2.0, 7.0], requires_grad=True)
        z = IN_PLACE_ACTIVATIONS[case](lib.nn.functional, x * 1)
        try:
            (z * lib.arange(5.0)).sum().backward()
        except RuntimeError as e:
            return str(e)
        return x.grad, z.grad_fn.name()
    d, t = both(run)
    if isinstance(t, str):
        assert d.split(". ")[0] == t.split(". ")[0]  # PyTorch's message goes on to its issue tracker
    else:
        same(d[0], t[0])
        assert d[1] == t[1]


def test_in_place_activation_of_a_leaf_is_refused():
    raises_like(lambda lib: lib.nn.functional.leaky_relu(lib.ones(2, requires_grad=True), inplace=True))
