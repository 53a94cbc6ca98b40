"""dxdy.func's grad, grad_and_value and vjp against torch.func.

Each case is one program run in both libraries (tests/transform_checks.py): values, the pytree structure
of the results, requires_grad and grad_fn of each tensor (what keeps a graph after the transform), and
the errors (type and message). NOTE [Transform levels] in dxdy/func/transforms.py says how dxdy nests.
"""
import numpy as np
import pytest

import dxdy
from custom_functions import old_style_cube
from transform_checks import check, data

X3 = data(3)
Y3 = data(3, seed=1)
X23 = data(2, 3, seed=2)
POS3 = data(3, seed=3, low=0.5)
W = data(4, 3, seed=4)
B = data(4, seed=5)
W2 = data(2, 4, seed=6)
BATCH = data(5, 3, seed=7)
TARGETS = np.array([0, 1, 1, 0, 1])


def t(lib, array, requires_grad=False):
    return lib.tensor(array, requires_grad=requires_grad)


def s(lib, value):
    return lib.tensor(float(value), dtype=lib.float64)


def loss_of_params(lib):
    """A small MLP's loss as a function of a dict of its parameters."""
    def loss(params, x, y):
        h = lib.tanh(x @ params["w"].t() + params["b"])
        return lib.nn.functional.cross_entropy(h @ params["head"][0].t(), y)
    return loss


def params(lib):
    return {"w": t(lib, W), "b": t(lib, B), "head": [t(lib, W2)]}


def inside_state(lib):
    """What f sees inside the transform, returned beside the gradient (as Python values)."""
    seen = []

    def f(x):
        made = lib.ones(3)
        seen.extend([x.requires_grad, made.requires_grad, (x * made).requires_grad, lib.is_grad_enabled()])
        return (x * made).sum()
    return lib.func.grad(f)(t(lib, X3)), seen


def under_no_grad(lib, fn):
    with lib.no_grad():
        return fn()


def no_grad_inside(lib):
    def f(x):
        with lib.no_grad():
            c = x ** 2
        return (x - c).sum() + (x ** 3).sum()
    return lib.func.grad(f)(t(lib, X3))


def outer_tensor(lib):
    w = t(lib, POS3, True)
    g = lib.func.grad(lambda x: (x * w).sum() ** 2)(t(lib, X3))
    return g, lib.autograd.grad(g.sum(), w)


def outer_tensor_not_used_differentiably(lib):
    w = t(lib, POS3, True)
    return lib.func.grad(lambda x: (x * x).sum() + w.sum())(t(lib, X3))


def argument_requiring_grad(lib):
    x = t(lib, X3, True)
    g = lib.func.grad(lambda y: (y ** 3).sum())(x)
    return g, lib.autograd.grad(g.sum(), x)


def captured_graph_survives(lib, transform):
    """A captured tensor's own graph can still be backpropagated after the transform."""
    w = t(lib, POS3, True)
    z = w.exp()
    result = transform(lambda x: (x * x * z).sum(), t(lib, X3))
    z.sum().backward()
    return result, w.grad


def grad_under_outer_no_grad(lib):
    x = t(lib, X3, True)
    with lib.no_grad():
        return lib.func.grad(lambda y: (y ** 3).sum())(x)


def nested_no_grad_around_inner(lib):
    def f(x):
        with lib.no_grad():
            inner = lib.func.grad(lambda y: (y * y * x).sum())(x)
        return (inner * x).sum()
    return lib.func.grad(f)(t(lib, X3))


def vjp_pytree(lib):
    out, fn = lib.func.vjp(lambda x, y: {"a": x * y, "b": (x.sum(), [y ** 2])}, t(lib, X3), t(lib, Y3))
    return out, fn({"a": lib.ones(3), "b": (s(lib, 2), [t(lib, POS3)])})


def vjp_twice(lib):
    out, fn = lib.func.vjp(lambda x: x.sin() * x, t(lib, X3))
    return out, fn(lib.ones(3)), fn(t(lib, POS3))


def vjp_aux(lib):
    out, fn, aux = lib.func.vjp(lambda x: (x.exp(), {"mean": x.mean(), "x": x}), t(lib, X3), has_aux=True)
    return out, fn(t(lib, POS3)), aux


def vjp_cotangent_requiring_grad(lib):
    v = t(lib, POS3, True)
    out, fn = lib.func.vjp(lambda x: x ** 2, t(lib, X3))
    g = fn(v)
    return g, lib.autograd.grad(g[0].sum(), v)


def vjp_argument_requiring_grad(lib):
    x = t(lib, X3, True)
    out, fn = lib.func.vjp(lambda y: y ** 3, x)
    g = fn(lib.ones(3))
    return out, g, lib.autograd.grad(g[0].sum(), x)


def vjp_called_under_no_grad(lib):
    out, fn = lib.func.vjp(lambda x: x ** 3, t(lib, X3))
    with lib.no_grad():
        return fn(lib.ones(3))


def vjp_create_graph(lib):
    out, fn = lib.func.vjp(lambda x: x ** 3, t(lib, X3))
    return fn(lib.ones(3), create_graph=True), fn(lib.ones(3), retain_graph=False, create_graph=False)


def grad_of_vjp(lib):
    return lib.func.grad(lambda x: lib.func.vjp(lambda y: y.sin() * y, x)[1](lib.ones(3))[0].sum())(t(lib, X3))


def vjp_of_grad(lib):
    out, fn = lib.func.vjp(lib.func.grad(lambda x: (x ** 3 * x.sin()).sum()), t(lib, X3))
    return out, fn(t(lib, POS3))


def cube_functions(lib):
    """x ** 3 as an autograd.Function, old style (ctx in forward) and new style (setup_context)."""
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g
    return old_style_cube(lib), Cube


def G(lib):
    return lib.func


VALUES = {
    # grad
    "grad": lambda lib: G(lib).grad(lambda x: (x.sin() * x).sum())(t(lib, X3)),
    "grad 0-d": lambda lib: G(lib).grad(lambda x: x.exp() * x)(s(lib, 0.5)),
    "grad float32": lambda lib: G(lib).grad(lambda x: x.sigmoid().sum())(lib.tensor(X3, dtype=lib.float32)),
    "grad float64 output of a float32 input": lambda lib: G(lib).grad(lambda x: x.sum().double())(
        lib.tensor(X3, dtype=lib.float32)),
    "grad argnums=1": lambda lib: G(lib).grad(lambda x, y: (x * y ** 2).sum(), argnums=1)(t(lib, X3), t(lib, Y3)),
    "grad argnums=-1": lambda lib: G(lib).grad(lambda x, y: (x * y ** 2).sum(), argnums=-1)(t(lib, X3), t(lib, Y3)),
    "grad argnums=True": lambda lib: G(lib).grad(lambda x, y: (x * y ** 2).sum(), argnums=True)(t(lib, X3),
                                                                                                  t(lib, Y3)),
    "grad argnums tuple": lambda lib: G(lib).grad(lambda x, y, z: (x * y * z).sum(), argnums=(0, 2))(
        t(lib, X3), t(lib, Y3), t(lib, POS3)),
    "grad argnums tuple reversed": lambda lib: G(lib).grad(lambda x, y: (x * y.exp()).sum(), argnums=(1, 0))(
        t(lib, X3), t(lib, Y3)),
    "grad broadcasting": lambda lib: G(lib).grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(
        t(lib, X23), t(lib, X3)),
    "grad of a dict of parameters": lambda lib: G(lib).grad(loss_of_params(lib))(
        params(lib), t(lib, BATCH), lib.tensor(TARGETS)),
    "grad of nested pytrees": lambda lib: G(lib).grad(
        lambda p: (p[0]["a"] * p[1][0] + p[1][1].sum()).sum())(({"a": t(lib, X3)}, [t(lib, Y3), t(lib, X23)])),
    "grad kwargs": lambda lib: G(lib).grad(lambda x, scale=1.0: (x * scale).sum())(t(lib, X3), scale=t(lib, POS3)),
    "grad unused argument": lambda lib: G(lib).grad(lambda x, y: (x ** 2).sum(), argnums=1)(t(lib, X3), t(lib, Y3)),
    "grad constant output": lambda lib: G(lib).grad(lambda x: lib.tensor(1.0))(t(lib, X3)),
    "grad integer output": lambda lib: G(lib).grad(lambda x: x.sum().long())(t(lib, X3)),
    "grad empty input": lambda lib: G(lib).grad(lambda x: x.sum())(lib.zeros(0)),
    "grad has_aux": lambda lib: G(lib).grad(lambda x: ((x ** 2).sum(), {"m": x.mean(), "t": (x * 2,)}),
                                            has_aux=True)(t(lib, X3)),
    "grad_and_value": lambda lib: G(lib).grad_and_value(lambda x: (x ** 2).sum())(t(lib, X3)),
    "grad_and_value has_aux": lambda lib: G(lib).grad_and_value(lambda x: ((x ** 2).sum(), x.exp()),
                                                                has_aux=True)(t(lib, X3)),
    "grad_and_value argnums tuple": lambda lib: G(lib).grad_and_value(lambda x, y: (x @ y).tanh(), argnums=(0, 1))(
        t(lib, X3), t(lib, Y3)),
    # higher order
    "grad of grad": lambda lib: G(lib).grad(G(lib).grad(lambda x: x ** 3))(s(lib, 2.0)),
    "third derivative of sin exp pow": lambda lib: G(lib).grad(G(lib).grad(G(lib).grad(
        lambda x: (x.sin() * x.exp()) ** 2 + x ** 4)))(s(lib, 0.7)),
    "third derivative of pow chain": lambda lib: G(lib).grad(G(lib).grad(G(lib).grad(
        lambda x: (1 + x ** 2) ** 1.5)))(s(lib, 0.4)),
    "grad of a sum of grads": lambda lib: G(lib).grad(lambda x: G(lib).grad(lambda y: (y.sin() * y ** 2).sum())(x)
                                                      .sum())(t(lib, X3)),
    "mixed partial": lambda lib: G(lib).grad(lambda x, y: G(lib).grad(lambda a, b: (a * b) ** 2)(x, y), argnums=1)(
        s(lib, 2.0), s(lib, 3.0)),
    "inner grad with respect to another argument": lambda lib: G(lib).grad(
        lambda x, y: G(lib).grad(lambda a: (a * y) ** 2)(x))(s(lib, 2.0), s(lib, 3.0)),
    "no perturbation confusion": lambda lib: G(lib).grad(lambda x: x * G(lib).grad(lambda y: x + y)(x))(s(lib, 2.0)),
    "no perturbation confusion, captured": lambda lib: G(lib).grad(
        lambda x: G(lib).grad(lambda y: x * y)(s(lib, 3.0)) * x)(s(lib, 2.0)),
    "grad of grad_and_value": lambda lib: G(lib).grad(lambda x: G(lib).grad_and_value(lambda y: y.exp() * y)(x)[1]
                                                      * G(lib).grad(lambda y: y.exp() * y)(x))(s(lib, 0.3)),
    "autograd.grad inside": lambda lib: G(lib).grad(
        lambda x: lib.autograd.grad((x ** 3).sum(), x, create_graph=True)[0].sum())(t(lib, X3)),
    "a custom Function": lambda lib: G(lib).grad(lambda x: cube_functions(lib)[1].apply(x).sum())(t(lib, X3)),
    "a custom Function, twice": lambda lib: G(lib).grad(G(lib).grad(lambda x: cube_functions(lib)[1].apply(x)))(
        s(lib, 2.0)),
    "an old-style custom Function outside the transform": lambda lib: G(lib).grad(lambda x: (x * y).sum())(
        t(lib, X3)) if (y := cube_functions(lib)[0].apply(t(lib, POS3))) is not None else None,
    # what keeps a graph
    "inside the transform": inside_state,
    "no_grad inside f": no_grad_inside,
    "no_grad around the transform": lambda lib: under_no_grad(lib, lambda: G(lib).grad(lambda x: (x ** 2).sum())(
        t(lib, X3))),
    "outer tensor": outer_tensor,
    "outer tensor not used differentiably": outer_tensor_not_used_differentiably,
    "argument requiring grad": argument_requiring_grad,
    "captured graph survives grad": lambda lib: captured_graph_survives(lib, lambda f, x: G(lib).grad(f)(x)),
    "captured graph survives grad under no_grad": lambda lib: captured_graph_survives(
        lib, lambda f, x: under_no_grad(lib, lambda: G(lib).grad(f)(x))),
    "captured graph survives vjp": lambda lib: captured_graph_survives(
        lib, lambda f, x: G(lib).vjp(f, x)[1](s(lib, 1.0))),
    "argument requiring grad under no_grad": grad_under_outer_no_grad,
    "inner transform under no_grad": nested_no_grad_around_inner,
    # vjp
    "vjp": lambda lib: (lambda r: (r[0], r[1](t(lib, POS3))))(G(lib).vjp(lambda x: x.sin() * x, t(lib, X3))),
    "vjp pytree": vjp_pytree,
    "vjp twice": vjp_twice,
    "vjp has_aux": vjp_aux,
    "vjp list output": lambda lib: (lambda r: (r[0], r[1]([lib.ones(3)])))(G(lib).vjp(lambda x: [x * 2], t(lib, X3))),
    "vjp dict primal": lambda lib: (lambda r: (r[0], r[1](lib.ones(3))))(
        G(lib).vjp(lambda p: p["a"] * p["b"], {"a": t(lib, X3), "b": t(lib, Y3)})),
    "vjp unused primal": lambda lib: (lambda r: r[1](lib.ones(3)))(G(lib).vjp(lambda x, y: x * 2, t(lib, X3),
                                                                              t(lib, Y3))),
    "vjp no primals": lambda lib: G(lib).vjp(lambda: lib.ones(2))[0],
    "vjp integer cotangent": lambda lib: (lambda r: r[1](lib.tensor(2)))(G(lib).vjp(lambda x: x.sum(), t(lib, X3))),
    "vjp float32 cotangent for float64": lambda lib: (lambda r: r[1](lib.ones(3)))(G(lib).vjp(lambda x: x * x,
                                                                                             t(lib, X3))),
    "vjp cotangent requiring grad": vjp_cotangent_requiring_grad,
    "vjp argument requiring grad": vjp_argument_requiring_grad,
    "vjp called under no_grad": vjp_called_under_no_grad,
    "vjp create_graph": vjp_create_graph,
    "grad of vjp": grad_of_vjp,
    "vjp of grad": vjp_of_grad,
}


@pytest.mark.parametrize("name", list(VALUES))
def test_values_and_structure_match_torch_func(name):
    check(VALUES[name])


def _vjp_fn(lib, f, *primals):
    return G(lib).vjp(f, *primals)[1]


def _backward_inside(lib):
    def f(x):
        y = (x ** 2).sum()
        y.backward()
        return y
    return G(lib).grad(f)(t(lib, X3))


ERRORS = {
    "grad of a vector": lambda lib: G(lib).grad(lambda x: x * 2)(t(lib, X3)),
    "grad of shape (1,)": lambda lib: G(lib).grad(lambda x: x.sum().reshape(1))(t(lib, X3)),
    "grad of a number": lambda lib: G(lib).grad(lambda x: 3.0)(t(lib, X3)),
    "grad of a tuple": lambda lib: G(lib).grad(lambda x: (x.sum(),))(t(lib, X3)),
    "grad of a list": lambda lib: G(lib).grad(lambda x: [x.sum()])(t(lib, X3)),
    "grad_and_value of a vector": lambda lib: G(lib).grad_and_value(lambda x: x)(t(lib, X3)),
    "has_aux, not a tuple": lambda lib: G(lib).grad(lambda x: x.sum(), has_aux=True)(t(lib, X3)),
    "has_aux, three items": lambda lib: G(lib).grad(lambda x: (x.sum(), x, x), has_aux=True)(t(lib, X3)),
    "has_aux, a list": lambda lib: G(lib).grad(lambda x: [x.sum(), x], has_aux=True)(t(lib, X3)),
    "has_aux, a number in aux": lambda lib: G(lib).grad(lambda x: (x.sum(), {"n": 3}), has_aux=True)(t(lib, X3)),
    "has_aux, None aux": lambda lib: G(lib).grad(lambda x: (x.sum(), None), has_aux=True)(t(lib, X3)),
    "has_aux, vector output": lambda lib: G(lib).grad(lambda x: (x, x), has_aux=True)(t(lib, X3)),
    "argnums out of range": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=2)(t(lib, X3), t(lib, X3)),
    "argnums negative out of range": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=-3)(t(lib, X3),
                                                                                               t(lib, X3)),
    "argnums a float": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=1.0)(t(lib, X3), t(lib, X3)),
    "argnums a list": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=[0])(t(lib, X3), t(lib, X3)),
    "argnums empty": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=())(t(lib, X3), t(lib, X3)),
    "argnums repeated": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=(0, 0))(t(lib, X3), t(lib, X3)),
    "argnums repeated by a negative": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=(1, -1))(
        t(lib, X3), t(lib, X3)),
    "argnums a float in the tuple": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=(0, 1.0))(
        t(lib, X3), t(lib, X3)),
    "no arguments": lambda lib: G(lib).grad(lambda x: x.sum())(),
    "a number at argnums": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=1)(t(lib, X3), 2.0),
    "a number in a pytree at argnums": lambda lib: G(lib).grad(lambda x, y: x.sum(), argnums=1)(
        t(lib, X3), [t(lib, X3), 2.0]),
    "an integer tensor": lambda lib: G(lib).grad(lambda x: x.sum())(lib.tensor([1, 2])),
    "backward inside": _backward_inside,
    "an old-style custom Function": lambda lib: G(lib).grad(lambda x: cube_functions(lib)[0].apply(x).sum())(
        t(lib, X3)),
    "an old-style custom Function under no_grad": lambda lib: G(lib).vjp(
        lambda x: under_no_grad(lib, lambda: cube_functions(lib)[0].apply(x)), t(lib, X3)),
    "vjp has_aux, not a tuple": lambda lib: G(lib).vjp(lambda x: x * 2, t(lib, X3), has_aux=True),
    "vjp has_aux, a list": lambda lib: G(lib).vjp(lambda x: [x * 2, x], t(lib, X3), has_aux=True),
    "vjp a number in the output": lambda lib: G(lib).vjp(lambda x: (x * 2, 3.0), t(lib, X3)),
    "vjp None output": lambda lib: G(lib).vjp(lambda x: None, t(lib, X3)),
    "vjp empty output": lambda lib: G(lib).vjp(lambda x: (), t(lib, X3)),
    "vjp integer output": lambda lib: G(lib).vjp(lambda x: (x * 2).long(), t(lib, X3)),
    "vjp a number as primal": lambda lib: G(lib).vjp(lambda x, y: x * 2, t(lib, X3), 2.0),
    "vjp cotangents of another structure": lambda lib: _vjp_fn(lib, lambda x: {"a": x, "b": (x, [x])}, t(lib, X3))(
        {"a": lib.ones(3), "b": (lib.ones(3), lib.ones(3))}),
    "vjp too few cotangents": lambda lib: _vjp_fn(lib, lambda x: (x * 2, x * 3), t(lib, X3))((lib.ones(3),)),
    "vjp cotangent of another shape": lambda lib: _vjp_fn(lib, lambda x: x * 2, t(lib, X3))(lib.ones(2)),
    "vjp cotangent of shape (1,) for a 0-d output": lambda lib: _vjp_fn(lib, lambda x: x.sum(), t(lib, X3))(
        lib.ones(1)),
    "vjp cotangent a number": lambda lib: _vjp_fn(lib, lambda x: x * 2, t(lib, X3))(1.0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch_func(name):
    check(ERRORS[name])


# ---- what a comparison of values cannot see --------------------------------------------------------

def test_arguments_returned_unchanged_are_the_callers_tensors():
    x = dxdy.tensor(X3)
    gradient, aux = dxdy.func.grad(lambda y: (y.sum(), y), has_aux=True)(x)
    assert aux is x
    out, _ = dxdy.func.vjp(lambda y: y, x)
    assert out is x


def test_transforms_leave_grad_and_the_level_stack_alone():
    x = dxdy.tensor(X3, requires_grad=True)
    dxdy.func.grad(lambda y: (y ** 2).sum())(x)
    assert x.grad is None
    with pytest.raises(RuntimeError):
        dxdy.func.grad(lambda y: y)(x)
    assert dxdy.is_grad_enabled()
    (x ** 2).sum().backward()  # no transform is open any more
    np.testing.assert_allclose(x.grad.numpy(), 2 * X3)


def test_grad_keeps_the_name_of_the_function():
    def loss(x):
        return x.sum()
    assert dxdy.func.grad(loss).__name__ == "loss" and dxdy.func.grad(loss).__wrapped__ is loss
    assert dxdy.func.grad_and_value(loss).__name__ == "loss"


def test_importable_as_in_torch():
    from dxdy.func import grad, grad_and_value, vjp  # noqa: F401
    import dxdy.func
    assert dxdy.func.grad is grad


def test_readme_example_prints_what_the_readme_says_in_both_libraries():
    import contextlib
    import io
    import pathlib
    import re
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```(\w*)\n(.*?)```", readme, re.S)
    index = next(i for i, (lang, body) in enumerate(blocks) if lang == "python" and "from dxdy.func import" in body)
    code, shown = blocks[index][1], blocks[index + 1][1]
    as_torch = code.replace("import dxdy as torch", "import torch").replace("from dxdy.", "from torch.")
    for program in (code, as_torch):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(program, "README.md", "exec"), {})
        assert printed.getvalue() == shown


def test_import_dxdy_loads_the_transforms_on_first_use():
    import subprocess
    import sys
    code = ("import sys, dxdy; before = {'dxdy.func', 'dxdy.autograd.functional'} & set(sys.modules); "
            "dxdy.func.grad, dxdy.autograd.functional.jacobian; print(sorted(before))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_the_levels_forget_their_tensors():
    import gc
    from dxdy.func import transforms
    gc.collect()
    before = len(transforms._made_by)
    x = dxdy.tensor(X3)
    for _ in range(20):
        dxdy.func.grad(lambda y: dxdy.func.grad(lambda z: (z ** 3).sum())(y).sum())(x)
        out, fn = dxdy.func.vjp(lambda y: y.sin(), x)
        fn(dxdy.ones(3))
    del out, fn
    gc.collect()
    assert len(transforms._made_by) == before
