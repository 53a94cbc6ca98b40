"""gradcheck and gradgradcheck: backward compared with central finite differences.

Both follow PyTorch's signatures and tolerances. The numerical Jacobian comes
from perturbing one input element at a time by +-eps; the analytical one from
one backward pass per output element.
"""
import warnings

import numpy as np

from ..tensor import Tensor, wrap


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the gradients do not match."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _outputs(func, inputs):
    return _as_tuple(func(*inputs))


def _numerical_jacobian(func, inputs, k, eps):
    """Columns d outputs / d inputs[k][j] by central differences, one per element j."""
    a = inputs[k]._data  # perturbed in place (at each index, in C order) and restored
    columns = []
    for j in np.ndindex(a.shape):  # grad mode stays on: gradgradcheck's func differentiates inside
        orig = a[j]
        a[j] = orig + eps
        plus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)
                if isinstance(o, Tensor)]
        a[j] = orig - eps
        minus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)
                 if isinstance(o, Tensor)]
        a[j] = orig
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(columns[0]) if columns else len([o for o in _outputs(func, inputs) if isinstance(o, Tensor)])
    return [np.stack([c[i] for c in columns], axis=1) if columns else
            np.zeros((o_size, 0)) for i, o_size in zip(range(n_out), _output_sizes(func, inputs))]


def _output_sizes(func, inputs):
    # Not under no_grad: a func may return different outputs then (those that require grad, say).
    return [o._data.size for o in _outputs(func, inputs) if isinstance(o, Tensor)]


def _analytical_jacobian(func, inputs, k_list, nondet_tol):
    """Rows d outputs[i][r] / d inputs, one backward per output element."""
    from . import grad as autograd_grad  # (autograd/__init__.py, which defines grad, imports this module)
    outputs = [o for o in _outputs(func, inputs) if isinstance(o, Tensor)]
    jac = {}
    for i, out in enumerate(outputs):
        for k in k_list:
            jac[i, k] = np.zeros((out._data.size, inputs[k]._data.size))
        if not out._rg:
            continue
        for r in range(out._data.size):
            v = np.zeros(out._data.size, out._data.dtype)
            v[r] = 1
            gs = autograd_grad(out, [inputs[k] for k in k_list], wrap(v.reshape(out._data.shape)),
                               retain_graph=True, allow_unused=True)
            for k, g in zip(k_list, gs):
                if g is not None:
                    jac[i, k][r] = np.asarray(g._data, dtype=np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True when the gradients of `func` at `inputs` match finite differences (float64 inputs advised).

    >>> x = dxdy.randn(3, dtype=dxdy.float64, requires_grad=True)
    >>> dxdy.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
    True
    """
    inputs = _as_tuple(inputs)
    diff = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x._rg]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for k in diff:
        if inputs[k]._data.dtype != np.float64:
            warnings.warn(f"Input #{k} requires gradient and is not a double precision floating point or complex. "
                          f"This check will likely fail if all the inputs are not of double precision floating "
                          f"point or complex. ", UserWarning, stacklevel=2)
    analytical = _analytical_jacobian(func, inputs, diff, nondet_tol)
    for k in diff:
        numerical = _numerical_jacobian(func, inputs, k, eps)
        for i, num in enumerate(numerical):
            ana = analytical[i, k]
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                msg = (f"Jacobian mismatch for output {i} with respect to input {k},\n"
                       f"numerical:{wrap(num)}\nanalytical:{wrap(ana)}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """True when the second derivatives of `func` match finite differences of its first derivatives."""
    from . import grad as autograd_grad  # (autograd/__init__.py, which defines grad, imports this module)
    inputs = _as_tuple(inputs)
    outs = [o for o in _outputs(func, inputs) if isinstance(o, Tensor) and o._rg]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_(True)
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    diff = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x._rg]
    n_in = len(inputs)

    def first_derivatives(*args):
        xs, gos = args[:n_in], args[n_in:]
        outputs = [o for o in _outputs(func, xs) if isinstance(o, Tensor) and o._rg]
        grads = autograd_grad(outputs, [xs[k] for k in diff], gos[:len(outputs)], create_graph=True,
                              allow_unused=True, materialize_grads=True)
        return grads

    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
