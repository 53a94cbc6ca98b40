"""dxdy.autograd.functional: Jacobians, Hessians and their products with vectors, from reverse mode.

PyTorch's signatures and nesting: a function of one tensor gives results shaped like that tensor; a
tuple of inputs (or outputs) gives a tuple (of tuples) of results, `jacobian(f, (x, y))[i][j]` being
d output_i / d input_j with shape output_i.shape + input_j.shape. An input the outputs do not depend
on gets zeros, or an error with strict=True.

    >>> dxdy.autograd.functional.jacobian(lambda x: x ** 2, dxdy.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])

jvp and hvp use the double-backward trick, as PyTorch's do: the gradient of u -> J^T u (linear in u)
with respect to u, in direction v, is J v. vectorize=True and strategy="forward-mode" need vmap and
forward-mode AD, which dxdy does not have yet: they raise NotImplementedError (docs/decisions.md).
"""
import numpy as np

from .. import mode
from ..tensor import Tensor, wrap
from ..creation import zeros_like
from ..ops.shape import stack

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---- one place for the tuple handling -----------------------------------------------------------

def _as_tuple(value, what, fn):
    """(whether value was a tuple, value as a tuple of tensors); PyTorch's TypeError for a non-tensor."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but {where} "
                            f"has type {type(t)}.")
    return is_tuple, items


def _unpack(result, is_tuple):
    """Undo _as_tuple: a tuple of results back to a single result where the argument was one tensor.
    is_tuple is a bool, or (outer, inner) for results indexed [output][input]."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        if not inner:
            result = tuple(r[0] for r in result)
        return result if outer else result[0]
    return result if is_tuple else result[0]


def _fresh(tensors, create_graph, need_graph):
    """New tensor objects for func to see, so that the ones it captures from outside are not the inputs.
    With create_graph, an input that requires grad stays connected (a view), so the results can be
    differentiated with respect to it."""
    return tuple(t.view_as(t) if create_graph and t._rg else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _finish(result, create_graph):
    """The results (nested tuples) as the user gets them: without history unless create_graph."""
    if isinstance(result, tuple):
        return tuple(_finish(r, create_graph) for r in result)
    return result if create_graph else result.detach()


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad (None where one is not reached)."""
    from .. import autograd
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out._rg]
    if not pairs:
        return (None,) * len(inputs)
    outs, gs = zip(*pairs)
    return autograd.grad(outs, inputs, gs, create_graph=create_graph, retain_graph=retain_graph, allow_unused=True)


def _validate_v(v, like, like_is_tuple):
    if len(v) != len(like):
        if like_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el) in enumerate(zip(v, like)):
        if el_v.size() != el.size():
            entry = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {el.size()} but got {el_v.size()}.")


def _prepare_v(v, like, like_is_tuple, create_graph, fn, v_none_message):
    if v is None:
        if len(like) != 1 or like[0].nelement() != 1:
            raise RuntimeError(v_none_message)
        return None
    _, v = _as_tuple(v, "v", fn)
    v = _fresh(v, create_graph, need_graph=False)
    _validate_v(v, like, like_is_tuple)
    return v


# ---- strict mode ----------------------------------------------------------------------------------

_NOT_REQUIRING_GRAD = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be "
               "computed in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice "
               "differentiable and that the hessian depends on the inputs.",
}


def _check_requires_grad(tensors, kind, strict):
    """Under strict, each tensor (of the given kind) must exist and require grad."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is "
                               f"not allowed in strict mode.")
        if not t._rg:
            raise RuntimeError(_NOT_REQUIRING_GRAD[kind].format(i=i))


_JACOBIAN_CONSTANT = ("The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                      "in strict mode when create_graph=True.")
_HESSIAN_CONSTANT = ("The hessian of the user-provided function is independent of input {i}. This is not allowed "
                     "in strict mode when create_graph=True.")
# Per stage: (a result autograd left out, a result that is constant although create_graph=True).
_STRICT_STAGES = {
    "back": ("The output of the user-provided function is independent of input {i}. This is not allowed in strict "
             "mode.", _JACOBIAN_CONSTANT),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                   "using the double backward trick to compute forward mode gradients. This is not allowed in "
                   "strict mode.", _JACOBIAN_CONSTANT),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                    "in strict mode.", _HESSIAN_CONSTANT),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry {i} in the "
                          "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                          "backward trick to replace forward mode AD.", _HESSIAN_CONSTANT),
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros shaped like refs[i] where autograd gave no gradient; under strict, the stage's error instead."""
    missing, constant = _STRICT_STAGES[stage]
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(missing.format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g._rg:
            raise RuntimeError(constant.format(i=i))
        result.append(g)
    return tuple(result)


# ---- the functions --------------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product, shaped like the inputs.

    >>> dxdy.autograd.functional.vjp(lambda x: x ** 2, dxdy.tensor([1.0, 2.0]), dxdy.ones(2))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with mode.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp",
                       "The vector v can only be None if the user-provided function returns a single Tensor "
                       "with a single element.")
    with mode.set_grad_enabled(create_graph or mode.is_grad_enabled()):
        grads = _fill_in_zeros(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(grads, create_graph), is_inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, shaped like the outputs, by the double-backward trick.

    >>> dxdy.autograd.functional.jvp(lambda x: x ** 2, dxdy.tensor([1.0, 2.0]), dxdy.ones(2))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with mode.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp",
                       "The vector v can only be None if the input to the user-provided function is a single "
                       "Tensor with a single element.")
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # u -> J^T u is linear, so the value of u does not matter (zeros: no inf or nan to spread).
        u = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with mode.set_grad_enabled(create_graph or mode.is_grad_enabled()):
        grads = _fill_in_zeros(_grad(grad_inputs, u, v, create_graph), outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(grads, create_graph), is_outputs_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of func at inputs: d output / d input with shape output.shape + input.shape,
    nested [output][input] for tuples. One backward pass per output element.

    >>> dxdy.autograd.functional.jacobian(lambda x, y: x * y, (dxdy.tensor([1.0, 2.0]), dxdy.tensor(3.0)))
    (tensor([[3., 0.],
            [0., 3.]]), tensor([1., 2.]))
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('dxdy.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError('dxdy.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                               'not supported together (yet). Please either set `strict=False` or '
                               '`strategy="reverse-mode"`.')
        _as_tuple(inputs, "inputs", "jacobian")
        if not vectorize:  # PyTorch's own message (its missing space included)
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
        raise NotImplementedError('jacobian(strategy="forward-mode") needs forward-mode AD and vmap, which dxdy '
                                  'does not have yet; use strategy="reverse-mode" (the default)')

    with mode.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize:
            if strict:
                raise RuntimeError("dxdy.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                                   "supported together. Please either set `strict=False` or `vectorize=False`.")
            raise NotImplementedError("jacobian(vectorize=True) takes every row in one batched backward pass "
                                      "through vmap, which dxdy does not have yet; use vectorize=False (the "
                                      "default: one backward pass per output element)")
        jacobian = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[k][j]: d out.flatten()[j] / d inputs[k]
            for j in range(out.nelement()):
                # The j-th row is the vector-Jacobian product with the j-th unit vector.
                unit = np.zeros(out._data.size, out._data.dtype)
                unit[j] = 1
                row = _grad((out,), inputs, (wrap(unit.reshape(out._data.shape)),), create_graph, retain_graph=True)
                for k, (g, x) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {k}. This is not allowed in strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g._rg:
                        raise RuntimeError(_JACOBIAN_CONSTANT.format(i=i))  # (PyTorch names the output here)
                    rows[k].append(g)
            jacobian.append(tuple(stack(r, dim=0).view(out.size() + x.size()) for r, x in zip(rows, inputs)))
        return _unpack(_finish(tuple(jacobian), create_graph), (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar func at inputs: shape input.shape + input.shape, nested [input][input] for tuples.

    >>> dxdy.autograd.functional.hessian(lambda x: (x ** 3).sum(), dxdy.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs):
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def gradient(*xs):  # the Hessian is the Jacobian of this
        g = jacobian(scalar_func, xs, create_graph=True)
        _check_requires_grad(g, "jacobian", strict)
        return g

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(result, (is_inputs_tuple, is_inputs_tuple))


def _scalar_output(func, inputs, strict, fn):
    """func(*inputs) as a tuple of one tensor of one element (the checks of vhp and hvp)."""
    is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    _check_requires_grad(outputs, "outputs", strict)
    if is_outputs_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    return is_outputs_tuple, outputs


_V_NONE_FOR_HESSIAN = ("The vector v can only be None if the input to the user-provided function is a single Tensor "
                       "with a single element.")


def _gradient_for_product(func, inputs, v, create_graph, strict, name):
    """What vhp and hvp share, run under enable_grad: the checked inputs and v, func's scalar output, and
    its gradient with a graph (the product differentiates it once more)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _fresh(inputs, create_graph, need_graph=True)
    v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, name, _V_NONE_FOR_HESSIAN)
    is_outputs_tuple, outputs = _scalar_output(func, inputs, strict, name)
    gradient = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(gradient, "jacobian", strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, gradient


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func: the vector-Hessian product, shaped like the inputs.

    >>> dxdy.autograd.functional.vhp(lambda x: (x ** 3).sum(), dxdy.tensor([1.0, 2.0]), dxdy.ones(2))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with mode.enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, gradient = \
            _gradient_for_product(func, inputs, v, create_graph, strict, "vhp")
    with mode.set_grad_enabled(create_graph or mode.is_grad_enabled()):
        grads = _fill_in_zeros(_grad(gradient, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(grads, create_graph), is_inputs_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func: the Hessian-vector product, by the double-backward trick
    (equal to vhp's result when func is twice continuously differentiable, and slower).

    >>> dxdy.autograd.functional.hvp(lambda x: (x ** 3).sum(), dxdy.tensor([1.0, 2.0]), dxdy.ones(2))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with mode.enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, gradient = \
            _gradient_for_product(func, inputs, v, create_graph, strict, "hvp")
        u = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _grad(gradient, inputs, u, create_graph=True)
        _check_requires_grad(gradient, "hessian", strict)  # (PyTorch checks the gradient again here)
    with mode.set_grad_enabled(create_graph or mode.is_grad_enabled()):
        grads = _fill_in_zeros(_grad(double_back, u, v, create_graph), inputs, strict, create_graph,
                               "double_back_trick")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(grads, create_graph), is_inputs_tuple))
