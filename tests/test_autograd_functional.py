"""dxdy.autograd.functional against PyTorch: vjp, jvp, jacobian, hessian, vhp, hvp.

Each case is one program run in both libraries (tests/transform_checks.py): the values, the nesting of
the results (a tensor for tensor arguments, tuples of tuples for tuples), requires_grad and grad_fn
(create_graph), and the errors (type and message) must be PyTorch's.
"""
import numpy as np
import pytest

import dxdy
from transform_checks import check, data

X3 = data(3)
X23 = data(2, 3, seed=1)
Y4 = data(4, seed=2)
COL3 = data(3, 1, seed=3)
POS3 = data(3, seed=4, low=0.5)
W = data(4, 3, seed=5)
B = data(4, seed=6)
W2 = data(2, 4, seed=7)
A = data(3, 3, seed=8)
TARGET = np.array([1])


def F(lib):
    return lib.autograd.functional


def t(lib, array, requires_grad=False):
    return lib.tensor(array, requires_grad=requires_grad)


def mlp_loss(lib):
    """A small MLP's loss as a function of its weights: tanh layer, linear layer, cross-entropy."""
    x = t(lib, X3)

    def loss(w, b, w2):
        h = lib.tanh(w @ x + b)
        logits = (w2 @ h).unsqueeze(0)
        return lib.nn.functional.cross_entropy(logits, t(lib, TARGET))
    return loss


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


# ---- values and nesting -------------------------------------------------------------------------

VALUES = {
    # jacobian
    "jacobian one in one out": lambda lib: F(lib).jacobian(lambda x: x.sin() * x, t(lib, X3)),
    "jacobian 0-d": lambda lib: F(lib).jacobian(lambda x: x.exp() * x, t(lib, np.float64(0.5))),
    "jacobian matrix in matrix out": lambda lib: F(lib).jacobian(lambda x: (x @ x.t()).tanh(), t(lib, X23)),
    "jacobian broadcasting tuple in": lambda lib: F(lib).jacobian(lambda x, y: x * y + y.exp(),
                                                                  (t(lib, COL3), t(lib, Y4))),
    "jacobian tuple out": lambda lib: F(lib).jacobian(lambda x: (x ** 2, x.sum(), x.reshape(3, 2).t()),
                                                      t(lib, X23)),
    "jacobian tuple in tuple out": lambda lib: F(lib).jacobian(lambda x, y: (x * y.sum(), y.log(), x.cos()),
                                                               (t(lib, X3), t(lib, POS3))),
    "jacobian tuple of one": lambda lib: F(lib).jacobian(lambda x: (x ** 3,), (t(lib, X3),)),
    "jacobian unused input and constant output": lambda lib: F(lib).jacobian(
        lambda x, y: (x * 2, lib.ones(2)), (t(lib, X3), t(lib, Y4))),
    "jacobian float32": lambda lib: F(lib).jacobian(lambda x: x.sigmoid(), lib.tensor(X3, dtype=lib.float32)),
    "jacobian int32 output": lambda lib: F(lib).jacobian(lambda x: (x > 0).int(), t(lib, X3)),
    "jacobian input returned": lambda lib: F(lib).jacobian(lambda x: x, t(lib, X3)),
    "jacobian create_graph": lambda lib: F(lib).jacobian(lambda x: x.sin() * x, t(lib, X3), create_graph=True),
    "jacobian create_graph of a constant": lambda lib: F(lib).jacobian(lambda x: 2 * x, t(lib, X3),
                                                                       create_graph=True),
    "jacobian create_graph reaches x": lambda lib: (lambda x: lib.autograd.grad(
        F(lib).jacobian(lambda y: y ** 3, x, create_graph=True).sum(), x))(t(lib, X3, True)),
    "jacobian without create_graph keeps x out": lambda lib: F(lib).jacobian(lambda y: y ** 3, t(lib, X3, True)),
    "jacobian captured tensor": lambda lib: (lambda w: F(lib).jacobian(lambda x: w @ x, t(lib, X3)))(
        t(lib, W, True)),
    "jacobian strict": lambda lib: F(lib).jacobian(lambda x, y: x * y, (t(lib, X3), t(lib, POS3)), strict=True),
    "jacobian reverse-mode named": lambda lib: F(lib).jacobian(lambda x: x.exp(), t(lib, X3),
                                                               strategy="reverse-mode"),
    "jacobian under no_grad": lambda lib: _under_no_grad(lib, lambda: F(lib).jacobian(lambda x: x ** 2,
                                                                                       t(lib, X3))),
    "jacobian captured graph survives": lambda lib: captured_graph_survives(lib, F(lib).jacobian),
    "jacobian create_graph captured graph survives": lambda lib: captured_graph_survives(
        lib, lambda f, x: F(lib).jacobian(f, x, create_graph=True)),
    "hessian captured graph survives": lambda lib: captured_graph_survives(lib, F(lib).hessian),
    "vjp captured graph survives": lambda lib: captured_graph_survives(lib, F(lib).vjp),
    "jvp captured graph survives": lambda lib: captured_graph_survives(lib, lambda f, x: F(lib).jvp(f, x, x)),
    "hvp captured graph survives": lambda lib: captured_graph_survives(lib, lambda f, x: F(lib).hvp(f, x, x)),
    # hessian
    "hessian one input": lambda lib: F(lib).hessian(lambda x: (x.sin() * x ** 2).sum(), t(lib, X3)),
    "hessian rosenbrock": lambda lib: F(lib).hessian(rosenbrock, t(lib, data(6, seed=9))),
    "hessian x^T A x": lambda lib: F(lib).hessian(lambda x: x @ t(lib, A) @ x, t(lib, X3)),
    "hessian softmax cross-entropy": lambda lib: F(lib).hessian(
        lambda z: lib.nn.functional.cross_entropy(z.unsqueeze(0), t(lib, TARGET)), t(lib, X3)),
    "hessian of an mlp": lambda lib: F(lib).hessian(mlp_loss(lib), (t(lib, W), t(lib, B), t(lib, W2))),
    "hessian output of shape (1, 1)": lambda lib: F(lib).hessian(lambda x: (x ** 3).sum().reshape(1, 1),
                                                                 t(lib, X3)),
    "hessian tuple of one": lambda lib: F(lib).hessian(lambda x: (x ** 4).sum(), (t(lib, X23),)),
    "hessian linear": lambda lib: F(lib).hessian(lambda x, y: (2 * x).sum() + y.sum(), (t(lib, X3), t(lib, Y4))),
    "hessian create_graph": lambda lib: F(lib).hessian(lambda x: (x ** 3).sum(), t(lib, X3), create_graph=True),
    "hessian 0-d": lambda lib: F(lib).hessian(lambda x: x.exp() * x ** 2, t(lib, np.float64(0.3))),
    "hessian strict": lambda lib: F(lib).hessian(lambda x: (x ** 4).sum(), t(lib, X3), strict=True),
    # vjp
    "vjp": lambda lib: F(lib).vjp(lambda x: x.exp() * x, t(lib, X3), t(lib, POS3)),
    "vjp tuples": lambda lib: F(lib).vjp(lambda x, y: (x * y, (x ** 2).sum()), (t(lib, X3), t(lib, POS3)),
                                         (t(lib, Y4[:3]), t(lib, np.float64(2.0)))),
    "vjp scalar output, v None": lambda lib: F(lib).vjp(lambda x: (x ** 2).sum(), t(lib, X3)),
    "vjp output of one element, v None": lambda lib: F(lib).vjp(lambda x: (x ** 2).sum().reshape(1, 1), t(lib, X3)),
    "vjp unused input": lambda lib: F(lib).vjp(lambda x, y: x.sin(), (t(lib, X3), t(lib, Y4)), t(lib, X3)),
    "vjp constant output": lambda lib: F(lib).vjp(lambda x: lib.ones(2), t(lib, X3), lib.ones(2)),
    "vjp broadcasting": lambda lib: F(lib).vjp(lambda x, y: x * y, (t(lib, COL3), t(lib, Y4)), lib.ones(3, 4)),
    "vjp create_graph": lambda lib: F(lib).vjp(lambda x: x ** 3, t(lib, X3), t(lib, POS3, True), create_graph=True),
    "vjp v requiring grad, no create_graph": lambda lib: F(lib).vjp(lambda x: x ** 3, t(lib, X3), t(lib, POS3, True)),
    "vjp int v": lambda lib: F(lib).vjp(lambda x: x ** 3, t(lib, X3), lib.tensor([1, 2, 3])),
    # jvp
    "jvp": lambda lib: F(lib).jvp(lambda x: x.exp() * x, t(lib, X3), t(lib, POS3)),
    "jvp tuples": lambda lib: F(lib).jvp(lambda x, y: (x * y, (x ** 2).sum(), y.tanh()), (t(lib, X3), t(lib, POS3)),
                                         (t(lib, Y4[:3]), t(lib, X3))),
    "jvp one-element input, v None": lambda lib: F(lib).jvp(lambda x: x.exp() * 3, t(lib, np.array([0.5]))),
    "jvp output independent of input": lambda lib: F(lib).jvp(lambda x: (x * 2, lib.ones(2)), t(lib, X3), t(lib, POS3)),
    "jvp reductions and matmul": lambda lib: F(lib).jvp(lambda x: (t(lib, W) @ x).softmax(0), t(lib, X3), t(lib, POS3)),
    "jvp broadcasting": lambda lib: F(lib).jvp(lambda x, y: x * y, (t(lib, COL3), t(lib, Y4)),
                                               (t(lib, POS3.reshape(3, 1)), lib.ones(4))),
    "jvp create_graph": lambda lib: F(lib).jvp(lambda x: x ** 3, t(lib, X3, True), t(lib, POS3), create_graph=True),
    # vhp and hvp
    "vhp": lambda lib: F(lib).vhp(lambda x: (x.sin() * x ** 2).sum(), t(lib, X3), t(lib, POS3)),
    "hvp": lambda lib: F(lib).hvp(lambda x: (x.sin() * x ** 2).sum(), t(lib, X3), t(lib, POS3)),
    "vhp tuple": lambda lib: F(lib).vhp(mlp_loss(lib), (t(lib, W), t(lib, B), t(lib, W2)),
                                        (t(lib, W + 1), t(lib, B * 2), t(lib, W2 - 1))),
    "hvp tuple": lambda lib: F(lib).hvp(mlp_loss(lib), (t(lib, W), t(lib, B), t(lib, W2)),
                                        (t(lib, W + 1), t(lib, B * 2), t(lib, W2 - 1))),
    "vhp linear": lambda lib: F(lib).vhp(lambda x, y: (x * 2).sum() + (y ** 2).sum(), (t(lib, X3), t(lib, Y4)),
                                         (t(lib, X3), t(lib, Y4))),
    "hvp linear": lambda lib: F(lib).hvp(lambda x, y: (x * 2).sum() + (y ** 2).sum(), (t(lib, X3), t(lib, Y4)),
                                         (t(lib, X3), t(lib, Y4))),
    "vhp 0-d, v None": lambda lib: F(lib).vhp(lambda x: x.exp() * x ** 3, t(lib, np.float64(0.7))),
    "hvp 0-d, v None": lambda lib: F(lib).hvp(lambda x: x.exp() * x ** 3, t(lib, np.float64(0.7))),
    "vhp create_graph": lambda lib: F(lib).vhp(lambda x: (x ** 4).sum(), t(lib, X3), t(lib, POS3), create_graph=True),
    "hvp create_graph": lambda lib: F(lib).hvp(lambda x: (x ** 4).sum(), t(lib, X3), t(lib, POS3), create_graph=True),
}


def captured_graph_survives(lib, transform):
    """A captured tensor's own graph can still be backpropagated after the call."""
    w = t(lib, POS3, True)
    z = w.exp()
    result = transform(lambda x: (x * x * z).sum(), t(lib, X3))
    z.sum().backward()
    return result, w.grad


def _under_no_grad(lib, fn):
    with lib.no_grad():
        return fn()


@pytest.mark.parametrize("name", list(VALUES))
def test_values_and_nesting_match_torch(name):
    check(VALUES[name])


# ---- errors -------------------------------------------------------------------------------------

ERRORS = {
    # what the functions accept
    "inputs a list": lambda lib: F(lib).jacobian(lambda x: x, [t(lib, X3)]),
    "inputs a number": lambda lib: F(lib).vjp(lambda x: x, 3.0),
    "a number in the inputs": lambda lib: F(lib).hessian(lambda x, y: x.sum(), (t(lib, X3), 2.0)),
    "outputs a list": lambda lib: F(lib).jacobian(lambda x: [x], t(lib, X3)),
    "a number in the outputs": lambda lib: F(lib).jvp(lambda x: (x, 1.0), t(lib, X3), t(lib, X3)),
    "vjp v a number": lambda lib: F(lib).vjp(lambda x: x, t(lib, X3), 1.0),
    "vjp v of another size": lambda lib: F(lib).vjp(lambda x: x * 2, t(lib, X3), lib.ones(2)),
    "vjp v tuple of another length": lambda lib: F(lib).vjp(lambda x: (x, x), t(lib, X3), (lib.ones(3),)),
    "vjp v tuple for one output": lambda lib: F(lib).vjp(lambda x: x, t(lib, X3), (lib.ones(3), lib.ones(3))),
    "vjp v entry of another size": lambda lib: F(lib).vjp(lambda x: (x, x), t(lib, X3), (lib.ones(3), lib.ones(2))),
    "vjp v None, vector output": lambda lib: F(lib).vjp(lambda x: x * 2, t(lib, X3)),
    "vjp v None, two outputs": lambda lib: F(lib).vjp(lambda x: (x.sum(), x.sum()), t(lib, X3)),
    "jvp v None, vector input": lambda lib: F(lib).jvp(lambda x: x * 2, t(lib, X3)),
    "jvp v of another size": lambda lib: F(lib).jvp(lambda x: x * 2, t(lib, X3), lib.ones(4)),
    "jvp v entry of another size": lambda lib: F(lib).jvp(lambda x, y: x * y, (t(lib, X3), t(lib, X3)),
                                                          (lib.ones(3), lib.ones(1))),
    "hvp v None, vector input": lambda lib: F(lib).hvp(lambda x: x.sum(), t(lib, X3)),
    "vhp v None, vector input": lambda lib: F(lib).vhp(lambda x: x.sum(), t(lib, X3)),
    "hessian of a vector": lambda lib: F(lib).hessian(lambda x: x ** 2, t(lib, X3)),
    "hessian of a tuple": lambda lib: F(lib).hessian(lambda x: ((x ** 2).sum(),), t(lib, X3)),
    "vhp of a vector": lambda lib: F(lib).vhp(lambda x: x ** 2, t(lib, X3), t(lib, X3)),
    "hvp of a tuple": lambda lib: F(lib).hvp(lambda x: ((x ** 2).sum(),), t(lib, X3), t(lib, X3)),
    "jacobian int input": lambda lib: F(lib).jacobian(lambda x: x * 2, lib.tensor([1, 2])),
    "jacobian of an empty output": lambda lib: F(lib).jacobian(lambda x: x[:0], t(lib, X3)),
    # strategies and vectorize
    "jacobian unknown strategy": lambda lib: F(lib).jacobian(lambda x: x, t(lib, X3), strategy="forward"),
    "hessian unknown strategy": lambda lib: F(lib).hessian(lambda x: x.sum(), t(lib, X3),
                                                           outer_jacobian_strategy="fwd"),
    "forward-mode with create_graph": lambda lib: F(lib).jacobian(lambda x: x, t(lib, X3), create_graph=True,
                                                                  strategy="forward-mode"),
    "forward-mode with strict": lambda lib: F(lib).jacobian(lambda x: x, t(lib, X3), strict=True,
                                                            strategy="forward-mode"),
    "forward-mode without vectorize": lambda lib: F(lib).jacobian(lambda x: x, t(lib, X3), strategy="forward-mode"),
    "hessian forward-mode without vectorize": lambda lib: F(lib).hessian(
        lambda x: (x ** 3).sum(), t(lib, X3), outer_jacobian_strategy="forward-mode"),
    "vectorize with strict": lambda lib: F(lib).jacobian(lambda x: x * 2, t(lib, X3), vectorize=True, strict=True),
    # strict mode
    "strict, output not requiring grad": lambda lib: F(lib).vjp(lambda x: lib.ones(3), t(lib, X3), lib.ones(3),
                                                                strict=True),
    "strict vjp, unused input": lambda lib: F(lib).vjp(lambda x, y: x * 2, (t(lib, X3), t(lib, X3)), lib.ones(3),
                                                       strict=True),
    "strict vjp create_graph, constant gradient": lambda lib: F(lib).vjp(lambda x: x * 2, t(lib, X3), lib.ones(3),
                                                                         strict=True, create_graph=True),
    "strict jvp, unused input": lambda lib: F(lib).jvp(lambda x, y: x * 2, (t(lib, X3), t(lib, X3)),
                                                       (lib.ones(3), lib.ones(3)), strict=True),
    "strict jvp, output independent of input": lambda lib: F(lib).jvp(lambda x: (x * 2, x.detach()), t(lib, X3),
                                                                      lib.ones(3), strict=True),
    "strict jvp create_graph": lambda lib: F(lib).jvp(lambda x: x * 2, t(lib, X3), lib.ones(3), strict=True,
                                                      create_graph=True),
    "strict jacobian, unused input": lambda lib: F(lib).jacobian(lambda x, y: x * 2, (t(lib, X3), t(lib, X3)),
                                                                 strict=True),
    "strict jacobian, second output": lambda lib: F(lib).jacobian(lambda x, y: (x * y, y * 2),
                                                                  (t(lib, X3), t(lib, X3)), strict=True),
    "strict jacobian create_graph, linear": lambda lib: F(lib).jacobian(lambda x: (x ** 2, x * 2), t(lib, X3),
                                                                        strict=True, create_graph=True),
    "strict hessian, linear": lambda lib: F(lib).hessian(lambda x: (x * 2).sum(), t(lib, X3), strict=True),
    "strict hessian, unused input": lambda lib: F(lib).hessian(lambda x, y: (x ** 2).sum(),
                                                               (t(lib, X3), t(lib, X3)), strict=True),
    "strict hessian create_graph, quadratic": lambda lib: F(lib).hessian(lambda x: (x ** 2).sum(), t(lib, X3),
                                                                         strict=True, create_graph=True),
    "strict vhp, linear": lambda lib: F(lib).vhp(lambda x: (x * 2).sum(), t(lib, X3), t(lib, X3), strict=True),
    "strict vhp, quadratic create_graph": lambda lib: F(lib).vhp(lambda x: (x ** 2).sum(), t(lib, X3), t(lib, X3),
                                                                 strict=True, create_graph=True),
    "strict hvp, linear": lambda lib: F(lib).hvp(lambda x: (x * 2).sum(), t(lib, X3), t(lib, X3), strict=True),
    "strict hvp, quadratic create_graph": lambda lib: F(lib).hvp(lambda x: (x ** 2).sum(), t(lib, X3), t(lib, X3),
                                                                 strict=True, create_graph=True),
    "strict hvp, unused input": lambda lib: F(lib).hvp(lambda x, y: (x ** 3).sum(), (t(lib, X3), t(lib, X3)),
                                                       (t(lib, X3), t(lib, X3)), strict=True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    check(ERRORS[name])


# ---- what needs vmap or forward mode --------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: dxdy.autograd.functional.jacobian(lambda x: x * 2, dxdy.ones(3), vectorize=True),
    lambda: dxdy.autograd.functional.jacobian(lambda x: x * 2, dxdy.ones(3), vectorize=True,
                                              strategy="forward-mode"),
    lambda: dxdy.autograd.functional.hessian(lambda x: (x ** 3).sum(), dxdy.ones(3), vectorize=True),
    lambda: dxdy.autograd.functional.hessian(lambda x: (x ** 3).sum(), dxdy.ones(3), vectorize=True,
                                             outer_jacobian_strategy="forward-mode"),
])
def test_vectorize_and_forward_mode_say_what_is_missing(call):
    with pytest.raises(NotImplementedError, match="vmap, which dxdy does not have yet"):
        call()


def test_jacobian_of_jacobian_is_hessian():
    x = dxdy.tensor(X3, requires_grad=True)
    f = dxdy.autograd.functional

    def grad_f(y):
        return f.jacobian(lambda z: (z.sin() * z ** 2).sum(), y, create_graph=True)
    np.testing.assert_allclose(f.jacobian(grad_f, x).numpy(),
                               f.hessian(lambda z: (z.sin() * z ** 2).sum(), x).numpy(), rtol=1e-12)


def test_a_captured_input_is_a_constant():
    # func sees new tensors, so the input captured from outside is not differentiated (as in PyTorch).
    x = dxdy.tensor(X3, requires_grad=True)
    assert np.array_equal(dxdy.autograd.functional.jacobian(lambda y: y * x, x).numpy(), np.diag(X3))


def test_importable_as_in_torch():
    from dxdy.autograd.functional import jacobian, hessian  # noqa: F401
    import dxdy.autograd.functional as functional
    assert functional.vjp is dxdy.autograd.functional.vjp
    assert sorted(functional.__all__) == ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
