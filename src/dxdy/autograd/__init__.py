"""dxdy.autograd: backward, grad, custom Functions, numerical checks.

The names and signatures are PyTorch's, so `torch.autograd.grad(...)` reads the
same here.
"""
import warnings

import numpy as np

from .. import engine
from ..mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                    is_inference_mode_enabled)
from ..tensor import Tensor, Size, wrap
from ..graph import Node
from . import graph
from ..saved_tensors import SavedTensor  # noqa: F401
from .function import Function, FunctionCtx, once_differentiable, InplaceFunction, NestedIOFunction
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled, is_anomaly_check_nan_enabled


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (Tensor, graph.GradientEdge)):
        return (x,)
    return tuple(x)  # a number here raises PyTorch's TypeError: 'float' object is not iterable


def _inputs(inputs):
    """The inputs for the engine: a GradientEdge becomes a tensor the engine captures by (graph.edge_input)."""
    return tuple(graph.edge_input(t) if isinstance(t, graph.GradientEdge) else t for t in inputs)


def _check_gradient_types(grads):
    for g in grads or ():
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")


def _root_grads(outputs, grad_outputs, create_graph, who):
    """Validate the outputs and make their starting gradients (ones for scalars)."""
    grads = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"{who}: expected Tensor outputs, got {type(out).__name__}")
        if not out._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn\n"
                               f"To fix: nothing it was computed from requires grad. Make the leaves with "
                               f"requires_grad=True (or call x.requires_grad_()), and compute it outside "
                               f"dxdy.no_grad().")
        g = grad_outputs[i] if grad_outputs is not None else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs\n"
                                   f"To fix: this output has shape {Size(out._data.shape)}. Pass gradient= a "
                                   f"tensor of that shape to get the vector-Jacobian product (gradient^T J), or "
                                   f"reduce to a scalar first, e.g. y.sum().backward().")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            shape, dtype = out._data.shape, out._data.dtype
            g = np.array(1, dtype) if shape == () else np.ones(shape, dtype)  # (np.ones is Python code)
            grads.append(wrap(g) if create_graph else g)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                               f"output[{i}] has a shape of {Size(out._data.shape)}.")
        if g._data.dtype.kind == "b" or (g._data.dtype.kind in "iu" and out._data.dtype.kind == "f"):
            # PyTorch casts an integer gradient for a floating output to the output's dtype.
            g = wrap(g._data.astype(out._data.dtype))
        elif g._data.dtype != out._data.dtype:
            g = wrap(g._data.astype(out._data.dtype)) if not g._rg else g.to(out.dtype)
        grads.append(g if create_graph else g._data)
    return grads


def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(self)/d(leaf) into the .grad of every leaf the graph reaches (Tensor.backward).

    A non-scalar tensor needs `gradient` (same shape): the result is then the
    vector-Jacobian product gradient^T J.
    """
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate the gradients of `tensors` into the .grad of the leaves they depend on.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> dxdy.autograd.backward((x * x).sum())
    >>> x.grad
    tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else None
    _check_gradient_types(grad_tensors)
    if grad_tensors is not None and len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(tensors)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs is not None:
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        inputs = _inputs(inputs)
        for t in inputs:
            if not t._rg:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _root_grads(tensors, grad_tensors, create_graph, "backward")
    if create_graph:
        warnings.warn("Using backward() with create_graph=True will create a reference cycle between the "
                      "parameter and its gradient which can cause a memory leak. We recommend using "
                      "autograd.grad when creating the graph to avoid this. If you have to use this function, "
                      "make sure to reset the .grad fields of your parameters to None after use to break the "
                      "cycle and avoid the leak.", UserWarning, stacklevel=3)
    engine.run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs,
                        accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned rather than stored in .grad.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> dxdy.autograd.grad((x ** 3).sum(), x)
    (tensor([ 3., 12.]),)
    """
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported yet; call grad once per row")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    edges = [isinstance(t, graph.GradientEdge) for t in inputs]
    inputs = _inputs(inputs)
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grad_outputs = _as_tuple(grad_outputs)
    _check_gradient_types(grad_outputs)
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} "
                           f"grad_outputs and {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_outputs, create_graph, "grad")
    result = engine.run_backward(outputs, grads, retain_graph=retain_graph, create_graph=create_graph,
                                 inputs=inputs, accumulate=False)
    out = []
    for i, (g, t) in enumerate(zip(result, inputs)):
        if g is None:
            if materialize_grads:
                if edges[i]:
                    raise RuntimeError("materialize_grads cannot be used when the given input is a GradientEdge")
                g = wrap(np.zeros(t._data.shape, t._data.dtype))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   f"graph. Set allow_unused=True if this is the desired behavior.")
        out.append(g)
    return tuple(out)


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 wrapper, kept for old tutorials: it makes a plain Tensor, as PyTorch does now."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        t = data if isinstance(data, Tensor) else wrap(np.asarray(data))
        if requires_grad:
            t.requires_grad_(True)
        return t
