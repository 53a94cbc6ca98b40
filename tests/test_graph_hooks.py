"""torch.autograd.graph against PyTorch: hooks on saved tensors, on several gradients, on nodes;
gradient edges; version counters; mutating saved tensors.

The examples are those of PyTorch's documentation (the "Saved tensors" and "Hooks for saved
tensors" sections of the autograd mechanics note, the saved tensors hooks tutorial, the docstrings
of torch.autograd.graph), run in both libraries: what they print (written to a log), their
gradients and their errors must agree. The last test packs what every op of the op table saves
(NOTE [Saved tensor hooks] in dxdy/saved_tensors.py).
"""
import gc
import os
import re
import tempfile
import threading
import uuid
import warnings
import weakref

import numpy as np
import pytest
import torch

import dxdy
from custom_functions import old_style_cube
from op_db import OP_DB, Maker
from op_info import NoGrad, map_arrays
from test_ops import resolve


def both(fn):
    """fn(lib, log) in dxdy and in torch: the two logs agree (torch. -> dxdy., addresses dropped)."""
    logs = []
    for lib in (dxdy, torch):
        log = []
        fn(lib, log)
        logs.append([re.sub(r" at 0x[0-9a-f]+", "", str(line)).replace("torch", "dxdy") for line in log])
    assert logs[0] == logs[1], "\n".join(f"{d!r:60}  {t!r}" for d, t in zip(*logs))
    return logs[0]


def raises_like(fn, same_text=True):
    """fn(lib) raises the same exception type in dxdy as in torch (and the same first line)."""
    errors = []
    for lib in (dxdy, torch):
        with pytest.raises(Exception) as err:
            fn(lib)
        errors.append(err.value)
    d, t = errors
    assert type(d).__name__ == type(t).__name__, (d, t)
    if same_text:
        first = str(t).splitlines()[0].replace("torch", "dxdy")
        assert str(d).splitlines()[0] == first, (str(d), str(t))
    return d


def hooks(lib):
    return lib.autograd.graph


def printing(log):
    """A pack and an unpack hook that write what they get to `log` (the docstring's example)."""
    def pack_hook(x):
        log.append(f"Packing {x}")
        return x.detach()

    def unpack_hook(x):
        log.append(f"Unpacking {x}")
        return x
    return pack_hook, unpack_hook


# -- saved_tensors_hooks: the documented examples -----------------------------------------------------------

def test_docstring_example_packs_at_save_and_unpacks_at_backward():
    def run(lib, log):
        a = lib.ones(5, requires_grad=True)
        b = lib.ones(5, requires_grad=True) * 2
        with hooks(lib).saved_tensors_hooks(*printing(log)):
            y = a * b
        log.append("forward done")
        y.sum().backward()
        log.append(a.grad)
        log.append(b.grad_fn.next_functions[0][0].variable.grad)
    log = both(run)
    assert sum(line.startswith("Packing") for line in log) == 2


def test_mechanics_note_saved_tensors_are_the_same_object_without_hooks_and_new_ones_with():
    def run(lib, log):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.pow(2)
        log += [x.equal(y.grad_fn._saved_self), x is y.grad_fn._saved_self]
        y = x.exp()
        log += [y.equal(y.grad_fn._saved_result), y is y.grad_fn._saved_result]
        with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            y = x * x
        s, o = y.grad_fn._saved_self, y.grad_fn._saved_other
        log += [s is x, o is x, s is o, s.data_ptr() == x.data_ptr(), o.data_ptr() == x.data_ptr(), s, o]
    both(run)


def test_tutorial_hooks_that_transform_or_store_elsewhere():
    def run(lib, log):
        gen = np.random.default_rng(0)
        x = lib.tensor(gen.normal(size=5), requires_grad=True)
        with hooks(lib).saved_tensors_hooks(lambda t: t * 4, lambda t: t / 4):
            y = lib.pow(x, 2)
        y.sum().backward()
        log.append(bool(x.grad.equal(2 * x)))

        storage = []  # returning an index into a list

        def pack(t):
            storage.append(t)
            return len(storage) - 1
        x.grad = None
        with hooks(lib).saved_tensors_hooks(pack, lambda i: storage[i]):
            y = x * x
        y.sum().backward()
        log += [bool(x.grad.equal(2 * x)), len(storage)]

        delta = lib.tensor(gen.normal(size=5))  # returning a tensor and how to unpack it
        x.grad = None
        with hooks(lib).saved_tensors_hooks(lambda t: (t - delta, lambda u: u + delta), lambda p: p[1](p[0])):
            y = x * x
        y.sum().backward()
        log.append(bool(lib.allclose(x.grad, 2 * x)))

        x.grad = None  # returning the repr, evaluated back
        with hooks(lib).saved_tensors_hooks(repr, lambda s: eval(s.replace("tensor(", lib.__name__ + ".tensor("))):
            y = x * x
        y.sum().backward()
        log.append(bool(lib.all(x.grad - 2 * x <= 1e-4)))

        x.grad = None  # to "CPU" and back
        with hooks(lib).saved_tensors_hooks(lambda t: (t.device, t.cpu()), lambda p: p[1].to(p[0])):
            y = x * x
        y.sum().backward()
        log.append(bool(lib.allclose(x.grad, 2 * x)))
    both(run)


def test_tutorial_saving_to_disk_files_go_when_the_graph_frees_them():
    def run(lib, log):
        with tempfile.TemporaryDirectory() as tmp_dir:
            class SelfDeletingTempFile:
                def __init__(self):
                    self.name = os.path.join(tmp_dir, str(uuid.uuid4()) + ".npy")

                def __del__(self):
                    os.remove(self.name)

            def pack_hook(t):
                f = SelfDeletingTempFile()
                np.save(f.name, t.detach().numpy())
                return f

            def unpack_hook(f):
                return lib.from_numpy(np.load(f.name))

            x = lib.ones(5, requires_grad=True)
            with hooks(lib).saved_tensors_hooks(pack_hook, unpack_hook):
                y = x.pow(2)
            log.append(y.grad_fn._saved_self)
            log.append(y.grad_fn._saved_self)  # unpack may run many times
            log.append(len(os.listdir(tmp_dir)))
            y.sum().backward()
            gc.collect()
            log += [x.grad, len(os.listdir(tmp_dir))]  # the file went with the saved tensor

            # The tutorial's "incorrect version": an unpack hook that deletes the file fails on a second access.
            def unpack_and_remove(f):
                t = lib.from_numpy(np.load(f.name))
                os.remove(f.name)
                f.name = f.name + ".gone"
                open(f.name, "w").close()
                return t
            with hooks(lib).saved_tensors_hooks(pack_hook, unpack_and_remove):
                y = x.pow(2)
            log.append(y.grad_fn._saved_self)
            try:
                log.append(y.grad_fn._saved_self)
                log.append("Double access succeeded!")
            except Exception:  # noqa: BLE001  (the tutorial's own catch-all)
                log.append("Double access failed!")
            del y
            gc.collect()
    both(run)


def test_the_node_does_not_keep_the_original_alive_under_hooks():
    # The mechanics note: "To avoid reference cycle, the return value of pack_hook cannot hold a
    # reference to the input tensor". With pack returning a copy, only the copy is kept.
    def run(lib, log):
        for with_hooks in (False, True):
            a = lib.ones(3, requires_grad=True)
            b = lib.ones(3, requires_grad=True) * 2
            alive_a, alive_b = weakref.ref(a), weakref.ref(b)
            if with_hooks:
                with hooks(lib).saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
                    y = a * b
                    e = y.exp()
            else:
                y = a * b
                e = y.exp()
            alive_y = weakref.ref(y)
            del a, b, y
            gc.collect()
            # The leaf stays (the graph accumulates into it); the intermediate ones go under hooks only.
            log += [with_hooks, alive_a() is not None, alive_b() is not None, alive_y() is not None]
            e.sum().backward()
            log.append(alive_a().grad)
    both(run)


def test_nested_hooks_the_innermost_pair_applies_and_the_hooks_are_thread_local():
    def run(lib, log):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        outer = (lambda t: log.append("outer") or t.detach(), lambda t: log.append("outer unpack") or t)
        inner = (lambda t: log.append("inner") or t.detach(), lambda t: log.append("inner unpack") or t)
        with hooks(lib).saved_tensors_hooks(*outer):
            with hooks(lib).saved_tensors_hooks(*inner):
                y = x.exp()
            z = y.sin()

            def other_thread():
                (x * x).sum().backward()  # saves x twice, with no hooks in this thread
            t = threading.Thread(target=other_thread)
            t.start()
            t.join()
        (y + z).sum().backward()
        log.append(x.grad)
    both(run)


def test_pack_runs_with_grad_off_and_unpack_in_the_backward_pass_grad_mode():
    def run(lib, log):
        def pack(t):
            u = t * 4
            log.extend(["pack", lib.is_grad_enabled(), u.requires_grad])
            return u

        def unpack(u):
            log.extend(["unpack", lib.is_grad_enabled(), u.requires_grad])
            return u / 4
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with hooks(lib).saved_tensors_hooks(pack, unpack):
            y = x.pow(2)
        y.sum().backward(retain_graph=True)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        log += [g, x.grad]
    both(run)


@pytest.mark.parametrize("case", ["leaf", "intermediate", "result", "constant", "function"])
def test_second_derivatives_through_unpacked_tensors(case):
    # Unpacked tensors take the graph identity of the ones packed: a second derivative flows through them.
    def run(lib, log):
        x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
        c = lib.tensor([1.5, 0.5, -2.0], dtype=lib.float64)
        h = x * 1.0 if case == "intermediate" else x
        with hooks(lib).saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            if case == "result":
                y = h.exp()
            elif case == "constant":
                y = h.sin() * c
            elif case == "function":
                y = old_style_cube(lib).apply(h)
            else:
                y = h * h * h
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        log += [g.detach(), gg]
    both(run)


def test_custom_function_save_for_backward_goes_through_the_hooks():
    def run(lib, log):
        class MulExp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                out = (x * y).exp()
                ctx.save_for_backward(x, y, out)
                return out

            @staticmethod
            def backward(ctx, g):
                x, y, out = ctx.saved_tensors
                log.append(f"saved {x.requires_grad} {y.requires_grad} {out.grad_fn is not None}")
                return g * out * y, g * out * x
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = lib.tensor([2.0, -1.0], requires_grad=True) * 1
        with hooks(lib).saved_tensors_hooks(*printing(log)):
            z = MulExp.apply(x, y)
        z.sum().backward()
        log += [x.grad, y.grad_fn.next_functions[0][0].variable.grad]
    both(run)


def test_an_in_place_op_packs_the_value_before_its_write():
    def run(lib, log):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        y = a * 1
        with hooks(lib).saved_tensors_hooks(*printing(log)):
            y.mul_(b)  # saves b and y's value before the write
            z = y.exp_()  # saves its result
        z.sum().backward()
        log += [a.grad, b.grad]
    both(run)


def test_retained_graph_unpacks_on_every_use_and_freed_one_refuses():
    def run(lib, log):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: log.append("unpack") or t):
            y = x.exp()
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        log.append(x.grad)
    both(run)
    raises_like(lambda lib: _freed_saved_result(lib))


def _freed_saved_result(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
        y = x.exp()
    y.sum().backward()
    return y.grad_fn._saved_result


# -- saved_tensors_hooks: errors ------------------------------------------------------------------------------

def _forward_under(lib, pack, unpack, then=None):
    a = lib.ones(3, requires_grad=True)
    b = lib.ones(3, requires_grad=True) * 2
    with hooks(lib).saved_tensors_hooks(pack, unpack):
        y = a * b
    if then == "backward":
        y.sum().backward()
    elif then == "access":
        return y.grad_fn._saved_self
    return y


def test_a_pack_hook_that_changes_its_input_in_place_is_refused():
    raises_like(lambda lib: _forward_under(lib, lambda t: t.detach().add_(1), lambda t: t))


@pytest.mark.parametrize("then", ["backward", "access"])
@pytest.mark.parametrize("result", [1, None, "tensor"])
def test_an_unpack_hook_must_return_a_tensor(then, result):
    raises_like(lambda lib: _forward_under(lib, lambda t: t, lambda t: {1: 1, None: None}.get(result, "tensor"),
                                           then))


def test_an_error_in_a_hook_reaches_the_caller():
    def fail(t):
        raise ValueError("from the hook")
    raises_like(lambda lib: _forward_under(lib, fail, lambda t: t))
    raises_like(lambda lib: _forward_under(lib, lambda t: t, fail, "backward"))


def test_disable_saved_tensors_hooks():
    message = "saved tensors default hooks are disabled"

    def docstring_example(lib):
        with hooks(lib).disable_saved_tensors_hooks(message):
            with hooks(lib).save_on_cpu():
                pass
    raises_like(docstring_example)

    def inside_hooks(lib):
        with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            with hooks(lib).disable_saved_tensors_hooks(message):
                pass
    raises_like(inside_hooks)

    def nested(lib):
        with hooks(lib).disable_saved_tensors_hooks("outer"):
            with hooks(lib).disable_saved_tensors_hooks("inner"):
                pass
            with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    raises_like(nested)

    def run(lib, log):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with hooks(lib).disable_saved_tensors_hooks(message):
            y = x.exp()  # ops still save, without hooks
            y.grad_fn._raw_saved_result.register_hooks(lambda t: t, lambda t: log.append("unpack") or t)
            seen = []

            def other_thread():
                with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
                    seen.append("allowed in another thread")
            t = threading.Thread(target=other_thread)
            t.start()
            t.join()
            log += seen
        with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):  # allowed again
            pass
        y.sum().backward()
        log.append(x.grad)
    both(run)


# -- save_on_cpu ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pin_memory", [False, True])
def test_save_on_cpu_keeps_the_tensor_itself_or_a_pinned_copy(pin_memory):
    # On the CPU, PyTorch keeps the tensor itself (tensor.cpu() is the tensor), so a later change through
    # no_grad shows in backward; with pin_memory it keeps a copy.
    def run(lib, log):
        w = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        x = lib.tensor([3.0, 1.0, 2.0])

        def f(a, b, c):  # the docstring's example: only prod_1 and c go through the hooks
            prod_1 = a * b
            with hooks(lib).save_on_cpu(pin_memory=pin_memory):
                prod_2 = prod_1 * c
            return prod_2 * a
        c = x.exp()
        y = f(w, x, c)
        log.append(y.grad_fn.next_functions[0][0]._saved_other.data_ptr() == c.data_ptr())
        with lib.no_grad():
            c.mul_(10)
        y.sum().backward()
        log.append(w.grad)
        h = w * 1
        with hooks(lib).save_on_cpu(pin_memory=pin_memory):
            e = h.exp()
        log.append(e.grad_fn._saved_result.data_ptr() == e.data_ptr())
    both(run)


# -- grad_fn._raw_saved_<name> ----------------------------------------------------------------------------------

def test_raw_saved_tensor_register_hooks():
    def run(lib, log):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.pow(2)
        raw = y.grad_fn._raw_saved_self
        log += [type(raw).__name__, raw is y.grad_fn._raw_saved_self, isinstance(raw, lib.autograd.SavedTensor)]
        raw.register_hooks(lambda t: log.append(f"pack {t}") or t * 2, lambda t: log.append(f"unpack {t}") or t / 2)
        log.append(y.grad_fn._saved_self)
        y.sum().backward()
        log.append(x.grad)
        e = x.exp()
        e.grad_fn._raw_saved_result.register_hooks(lambda t: log.append(f"pack {t}") or t,
                                                   lambda t: log.append(f"unpack {t}") or t)
        log.append(e.grad_fn._saved_result)
    both(run)


def test_raw_saved_tensor_errors():
    def twice(lib):
        y = lib.tensor([1.0, 2.0], requires_grad=True).pow(2)
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
    raises_like(twice)

    def under_default_hooks(lib):
        with hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            y = lib.tensor([1.0, 2.0], requires_grad=True).pow(2)
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
    raises_like(under_default_hooks)

    def after_free(lib):
        y = lib.tensor([1.0, 2.0], requires_grad=True).pow(2)
        raw = y.grad_fn._raw_saved_self
        raw.register_hooks(lambda t: t, lambda t: t)
        y.sum().backward()
        raw.register_hooks(lambda t: t, lambda t: t)
    raises_like(after_free)

    def none_saved(lib):  # x * c saves only c when c does not require grad
        z = lib.tensor([1.0, 2.0], requires_grad=True) * lib.ones(2)
        assert z.grad_fn._saved_self is None
        z.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
    raises_like(none_saved)

    def register(lib, pack, unpack):
        y = lib.tensor([1.0], requires_grad=True).pow(2)  # (held: PyTorch crashes on a node whose output is gone)
        y.grad_fn._raw_saved_self.register_hooks(pack, unpack)
    raises_like(lambda lib: register(lib, lambda t: t.detach().mul_(2), lambda t: t))
    raises_like(lambda lib: register(lib, 1, 2), same_text=False)
    raises_like(lambda lib: lib.tensor([1.0], requires_grad=True).pow(2).grad_fn._raw_saved_exponent)
    raises_like(lambda lib: lib.tensor([1.0], requires_grad=True).exp().grad_fn._raw_saved_foo)


# -- register_multi_grad_hook -------------------------------------------------------------------------------------

def test_multi_grad_hook_docstring_example():
    def run(lib, log):
        a = lib.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], requires_grad=True)
        b = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        c = a * b
        d = a * b

        def fn(grads):
            log.append([g is not None for g in grads])
        handle = hooks(lib).register_multi_grad_hook((a, b, c, d), fn)
        c.sum().backward(retain_graph=True)
        c.sum().backward(inputs=(a,), retain_graph=True)
        lib.autograd.grad((c + d).sum(), (c,), retain_graph=True)
        (c + d).sum().backward(retain_graph=True)
        handle.remove()
        c.sum().backward(retain_graph=True)
        log.append("removed")
        handle = hooks(lib).register_multi_grad_hook((c, d), lambda gs: log.append([g.sum() for g in gs]))
        (2 * c + 3 * d).sum().backward(retain_graph=True)
        handle.remove()
    both(run)


def test_multi_grad_hook_gets_none_for_a_gradient_not_computed():
    def run(lib, log):
        class Stop(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                return None
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y, w = x * 2, x * 3
        hooks(lib).register_multi_grad_hook((y, w), lambda gs: log.append([None if g is None else g for g in gs]))
        (Stop.apply(y) + w).sum().backward()
        log.append(x.grad)
    both(run)


def test_multi_grad_hook_any_mode_and_refusals():
    def run(lib, log):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        c, d = a * 2, a * 3
        h = hooks(lib).register_multi_grad_hook((a, c, d, lib.ones(2)), lambda g: log.append(g), mode="any")
        c.sum().backward(retain_graph=True)
        (c + d).sum().backward(retain_graph=True)
        h.remove()
        (c + d).sum().backward()
        log.append("removed")
    both(run)
    raises_like(lambda lib: hooks(lib).register_multi_grad_hook((lib.ones(1, requires_grad=True),), print,
                                                                mode="some"))
    raises_like(lambda lib: hooks(lib).register_multi_grad_hook((lib.ones(2, requires_grad=True), lib.ones(2)), print))


# -- GradientEdge ---------------------------------------------------------------------------------------------------

def test_gradient_edges_as_inputs_of_grad_and_backward():
    def run(lib, log):
        g = hooks(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y ** 2).sum()
        e, ex = g.get_gradient_edge(y), g.get_gradient_edge(x)
        log += [e, isinstance(e, tuple), e.node is y.grad_fn, e.output_nr, ex.node.name(), ex.node.variable is x]
        log.append(lib.autograd.grad(z, e, retain_graph=True))
        log.append(lib.autograd.grad(z, [ex, y], retain_graph=True))
        log.append(lib.autograd.grad(z, g.GradientEdge(y.grad_fn, 0), retain_graph=True))
        z.backward(inputs=[e], retain_graph=True)
        log.append(x.grad)
        z.backward(inputs=[ex], retain_graph=True)
        log.append(x.grad)
        rows = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).unbind(0)
        log.append(g.get_gradient_edge(rows[1]).output_nr)
        log.append(lib.autograd.grad((rows[0] * rows[1]).sum(), g.get_gradient_edge(rows[1])))
        w = x * 3
        edge = g.get_gradient_edge(w)  # the edge of w before an in-place op gives w a new grad_fn
        w.mul_(2)
        log.append(lib.autograd.grad(w.sum(), edge))
    both(run)


def test_gradient_edge_refusals():
    raises_like(lambda lib: hooks(lib).get_gradient_edge(lib.ones(2)))
    raises_like(lambda lib: lib.autograd.grad(lib.ones(2, requires_grad=True).sum(), "x"))

    def materialize(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        lib.autograd.grad(x.sum(), hooks(lib).get_gradient_edge(y), materialize_grads=True)
    raises_like(materialize)


# -- increment_version ------------------------------------------------------------------------------------------

def test_increment_version_makes_saved_tensors_stale():
    def run(lib, log):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = h.exp()
        log.append(h._version)
        hooks(lib).increment_version(h)
        hooks(lib).increment_version([h, x])
        log += [h._version, x._version]
        y.sum().backward()  # exp saved its result, not h
        z = h.sin()
        hooks(lib).increment_version(h)
        try:
            z.sum().backward()
        except RuntimeError as e:
            log.append(str(e).split(":")[0])
    both(run)


# -- allow_mutation_on_saved_tensors ------------------------------------------------------------------------------

def test_allow_mutation_docstring_example_and_writes_of_every_kind():
    def run(lib, log):
        g = hooks(lib)
        with g.allow_mutation_on_saved_tensors():
            a = lib.ones(2, 3, requires_grad=True)
            b = a.clone()
            out = (b ** 2).sum()
            log.append(b.sin_())
            out.sum().backward()
            log.append(a.grad)
        with g.allow_mutation_on_saved_tensors():  # writes under no_grad, through a view, with out=
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            b = a * 1
            y = b * b
            with lib.no_grad():
                b.mul_(10)
            b[0] = 7.0
            with lib.no_grad():
                lib.add(b, 1, out=b)
            log.append(b)
            y.sum().backward()
            log.append(a.grad)
    both(run)


def test_allow_mutation_refusals():
    def outside(lib):
        with hooks(lib).allow_mutation_on_saved_tensors():
            a = lib.ones(2, requires_grad=True)
            out = (a * a).sum()
        out.backward()
    raises_like(outside)

    def nested(lib):
        with hooks(lib).allow_mutation_on_saved_tensors():
            with hooks(lib).allow_mutation_on_saved_tensors():
                pass
    raises_like(nested)

    def without(lib):  # the usual error
        b = lib.ones(2, requires_grad=True).clone()
        out = (b ** 2).sum()
        b.sin_()
        out.backward()
    raises_like(without, same_text=False)


# -- Node hooks, name, metadata -------------------------------------------------------------------------------------

def test_node_hook_docstring_examples_name_and_metadata():
    def run(lib, log):
        a = lib.tensor([0.0, 0.0, 0.0], requires_grad=True)
        b = a.clone()
        log += [isinstance(b.grad_fn, hooks(lib).Node), b.grad_fn.name()]
        for register in ("register_hook", "register_prehook"):
            hook = (lambda gi, go: (go[0] * 2,)) if register == "register_hook" else (lambda gi: (gi[0] * 2,))
            handle = getattr(b.grad_fn, register)(hook)
            b.sum().backward(retain_graph=True)
            log.append(a.grad)
            handle.remove()
            a.grad = None
            b.sum().backward(retain_graph=True)
            log.append(a.grad)
            a.grad = None
        md = b.grad_fn.metadata
        md["note"] = 1
        acc = b.grad_fn.next_functions[0][0]
        acc.metadata["leaf"] = True
        log += [type(md).__name__, b.grad_fn.metadata, isinstance(acc, hooks(lib).Node), acc.name(),
                b.grad_fn.next_functions[0][0].metadata]
    both(run)


def test_node_hooks_see_what_pytorch_shows_them():
    def run(lib, log):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        c = lib.tensor([3.0, 4.0])
        y = a * c
        h = y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi, go)))
        y.sum().backward(retain_graph=True)
        h.remove()
        h = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2, None))
        a.grad = None
        y.sum().backward(retain_graph=True)
        log.append(a.grad)
        h.remove()
        h = y.grad_fn.register_prehook(lambda go: (None,))
        a.grad = None
        y.sum().backward(retain_graph=True)
        log.append(a.grad)
        h.remove()
        cond = lib.tensor([True, False])
        w = lib.where(cond, a, a * 3)
        w.grad_fn.register_hook(lambda gi, go: log.append(("where", gi)))
        w.sum().backward()
        rows = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).unbind(0)
        rows[0].grad_fn.register_prehook(lambda go: log.append(("unbind", go)))
        (rows[0] * 2).sum().backward()
        # Node hooks run only where the node runs: not for a captured input of grad().
        b = a * 1
        b.grad_fn.register_prehook(lambda go: log.append("b pre"))
        b.grad_fn.register_hook(lambda gi, go: log.append("b post"))
        lib.autograd.grad((b * b).sum(), b)
        log.append("grad done")
        (b * b).sum().backward(inputs=[b])
    both(run)


def test_accumulate_grad_hooks_run_where_grad_is_stored():
    def run(lib, log):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        acc = a.view_as(a).grad_fn.next_functions[0][0]
        pre = acc.register_prehook(lambda go: log.append(("acc pre", go)))
        post = acc.register_hook(lambda gi, go: log.append(("acc post", gi, go, a.grad)))
        a.grad = lib.tensor([100.0, 100.0])
        (a * 3).sum().backward()
        lib.autograd.grad((a * 3).sum(), a)  # no AccumulateGrad under grad()
        log.append("grad done")
        pre.remove()
        post.remove()
        acc.register_prehook(lambda go: (go[0] * 10,))
        a.grad = None
        (a * 2).sum().backward()
        log.append(a.grad)
    both(run)


def same_outcome(run):
    """run(lib) returns the same thing (printed), or raises the same error, in dxdy as in torch."""
    outcomes = []
    for lib in (dxdy, torch):
        try:
            outcomes.append(("returns", str(run(lib))))
        except Exception as e:  # noqa: BLE001
            outcomes.append((type(e).__name__, str(e).splitlines()[0]))
    assert outcomes[0] == (outcomes[1][0], outcomes[1][1].replace("torch", "dxdy")), outcomes


@pytest.mark.parametrize("kind", ["pre", "post", "tensor"])
@pytest.mark.parametrize("result", ["same", "list", "int", "too many", "size", "dtype", "replaces None", "None"])
def test_hook_results_are_checked_as_pytorch_checks_them(kind, result):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * lib.tensor([3.0, 4.0])

        def my_hook(*args):
            v = args[0] if kind == "tensor" else args[0][0]  # (a node's grad_inputs has None for the constant)
            r = {"same": (v * 2,), "list": [v], "int": 5, "too many": (v, v), "size": (lib.ones(3),),
                 "dtype": (v.double(),), "replaces None": (v, lib.ones(2)), "None": (None,)}[result]
            return r[0] if kind == "tensor" and isinstance(r, tuple) and len(r) == 1 else r
        if kind == "pre":
            y.grad_fn.register_prehook(my_hook)
        elif kind == "post":
            y.grad_fn.register_hook(my_hook)
        else:
            y.register_hook(my_hook)
        y.sum().backward()
        return a.grad
    same_outcome(run)


def test_tensor_hooks_name_the_hook_in_their_errors():
    def run(lib):
        b = lib.tensor([1.0, 2.0], requires_grad=True) * 1

        def my_hook(g):
            return lib.ones(3)
        b.register_hook(my_hook)
        b.sum().backward()
    raises_like(run)


# -- every op of the op table -------------------------------------------------------------------------------------

def _convert(lib, value, floats):
    def tensor(a):
        if isinstance(a, NoGrad):
            return lib.tensor(a.array.copy())
        t = lib.tensor(a.copy())
        if a.dtype.kind == "f":
            t.requires_grad_(True)
            floats.append(t)
        return t
    return map_arrays(value, tensor)


def _flat(r):
    if isinstance(r, (tuple, list)):
        return [t for x in r for t in _flat(x)]
    return [r] if isinstance(r, dxdy.Tensor) and r.requires_grad and r.dtype.is_floating_point else []


def _gradients(info, sample, packed, second):
    """Gradients (and second derivatives) of one sample; under `packed`, every saved tensor goes through
    hooks that keep a copy, and every input and result is then overwritten before backward: a value that
    bypassed the hooks would make backward fail (its version changed) or give other numbers."""
    floats = []
    args = tuple(_convert(dxdy, a, floats) for a in sample.args)
    kwargs = {k: _convert(dxdy, v, floats) for k, v in sample.kwargs.items()}
    fn = resolve(dxdy, info.name)
    if packed:
        with dxdy.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            results = _flat(fn(*args, **kwargs))
    else:
        results = _flat(fn(*args, **kwargs))
    if not results:
        return None
    loss = sum((r * (k + 1)).sum() for k, r in enumerate(results))
    if packed:
        with dxdy.no_grad():
            for t in floats + results:
                if t._data.flags.writeable:  # (an expanded result cannot be written; its base is an input)
                    t.fill_(float("nan"))
    grads = dxdy.autograd.grad(loss, floats, create_graph=second, allow_unused=True)
    out = [None if g is None else g.detach().numpy().copy() for g in grads]
    if second:
        used = [(x, g) for x, g in zip(floats, grads) if g is not None and g.requires_grad]
        if used:
            total = sum((g * (k + 1)).sum() for k, (_, g) in enumerate(used))
            out += [None if h is None else h.numpy().copy()
                    for h in dxdy.autograd.grad(total, [x for x, _ in used], allow_unused=True)]
    return out


def _table_cases():
    for info in OP_DB:
        if info.grad and not info.nondeterministic:
            yield pytest.param(info, id=info.name)


@pytest.mark.parametrize("info", list(_table_cases()))
def test_every_saved_tensor_goes_through_the_hooks(info):
    dtype = "float64" if "float64" in info.dtypes else info.dtypes[0]
    for sample in info.samples(Maker(np.random.default_rng(0), dtype, info.domain), dtype):
        if info.sample_filter is not None and not info.sample_filter(sample, dtype):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the op table's own tests check warnings and errors)
            try:
                want = _gradients(info, sample, packed=False, second=info.gradgrad)
            except Exception:  # noqa: BLE001
                continue
            got = _gradients(info, sample, packed=True, second=info.gradgrad)
        assert (want is None) == (got is None), sample
        for w, g in zip(want or (), got or ()):
            assert (w is None) == (g is None), sample
            if w is not None:  # (the order of a sum may differ in the last bit; a value not packed would be nan)
                np.testing.assert_allclose(g, w, rtol=1e-10 if dtype == "float64" else 1e-5, err_msg=repr(sample))
    assert not dxdy.mode.watch.on  # hooks closed: ops are back on the one-flag path
