"""autograd.Function: ops written by the user, with a forward and a backward of their own.

A subclass gives static `forward(ctx, *args)` and `backward(ctx, *grads)` (or
`forward(*args)` plus `setup_context(ctx, inputs, output)`); `apply` runs it and
records one node. As in PyTorch, `ctx` is that node: attributes set on it during
forward are there in backward.
"""
import functools
import warnings

import numpy as np

from .. import mode as _mode_mod
from ..graph import Node, SECOND_BACKWARD, next_node_number
from ..mode import state as _mode
from ..tensor import Tensor, wrap, version_counter, bump_version
from ..messages import _modified_message
from ..ops._xp import numpy_ns
from ..saved_tensors import SavedTensor, pack_tensor
from .anomaly_mode import record, is_anomaly_enabled


class FunctionCtx:
    """The `ctx` methods of a custom Function (mixed into its node class)."""

    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for backward; read them back with ctx.saved_tensors."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward, checked against in-place changes since."""
        if self.saved is None:
            raise RuntimeError(SECOND_BACKWARD)
        out = []
        for entry in self.saved:
            if entry is None:
                out.append(None)
                continue
            if entry.__class__ is SavedTensor:  # saved under saved_tensors_hooks
                out.append(entry.value(self, True, _mode.grad_enabled))
                continue
            t, vc, version, output_nr = entry
            if vc[0] != version:
                raise RuntimeError(_modified_message(self, 0, t if output_nr is None else vc, 0, vc[0], version))
            if output_nr is not None:  # an output of this node comes back as one, so it differentiates again
                t = wrap(t._data, self)
                t._nr, t._vc = output_nr, vc
            out.append(t)
        return tuple(out)

    def mark_dirty(self, *tensors):
        """Declare inputs that forward changed in place (and returns)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs with no gradient (indices, masks)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        """With False, backward gets None (not zeros) for outputs that received no gradient."""
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function call (also its ctx)."""

    rules = None
    materialize = False
    plan = ()

    def __init__(self):
        self.to_save = ()
        self.non_differentiable = ()
        self.dirty_tensors = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self.saved = ()

    def rule_all(self, xp, g, *saved):
        # The engine hands over the saved entries; ctx.saved_tensors reads them itself.
        return _run_backward(self, xp, g)


def _edge(t):
    return t if t.grad_fn is None else t.grad_fn


class FunctionMeta(type):
    """Give each Function subclass its node class, named `<Name>Backward` as in PyTorch."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of custom differentiable ops.

    >>> class Square(dxdy.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = dxdy.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).backward(); x.grad
    tensor([6.])
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
                      f"so you should invoke them on the class itself.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-"
                           "style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward (recording nothing inside) and attach one node for the whole call."""
        if _mode.func_levels and cls.setup_context is Function.setup_context:
            raise RuntimeError("In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, "
                               "jacrev, ...), it must override the setup_context staticmethod. For more details, "
                               "please see https://pytorch.org/docs/main/notes/extending.func.html")
        node = cls._backward_cls()
        node._seq = next_node_number()  # numbered before forward runs, as PyTorch numbers it
        tensors = [a for a in args if isinstance(a, Tensor)]
        records = _mode.grad_enabled and any(t._rg for t in tensors)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        new_style = cls.setup_context is not Function.setup_context
        with _mode_mod.no_grad():
            if new_style:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        if records:  # edges first: a dirty input is about to become an output of this node
            node.next = tuple(_edge(a) if isinstance(a, Tensor) and a._rg else None for a in args)
            node.nrs = tuple(a._nr if isinstance(a, Tensor) else 0 for a in args)
        dirty = {id(t) for t in node.dirty_tensors}
        non_diff = {id(t) for t in node.non_differentiable}
        results = []
        for k, out in enumerate(outputs):
            if not isinstance(out, Tensor):
                results.append(out)
                continue
            if id(out) in dirty:
                if out._rg and out.grad_fn is None and records:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
                bump_version(out)
                t = out
            elif any(out is a for a in tensors):
                t = wrap(out._data)  # an input returned as is: a new tensor, so that it can carry the node
                t._vc = version_counter(out)
            else:
                t = out
            if records and id(out) not in non_diff and out._data.dtype.kind == "f":
                t.grad_fn, t._rg, t._nr = node, True, k
            elif t is not out or id(out) in non_diff:
                t._rg = False
            results.append(t)
        node.n_outputs = len(outputs)
        node.input_shapes = [a._data.shape if isinstance(a, Tensor) else None for a in args]
        node.output_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outputs]
        if records:
            if is_anomaly_enabled():
                record(node)
            node.meta = None
            node.hooks = None
            node.versions = None
            node.tensors = ()
            node.saved = tuple(_save_entry(t, results, node) for t in node.to_save)
        else:
            node.saved = tuple(_save_entry(t, (), node) for t in node.to_save)
        node.to_save = ()
        return results[0] if single else tuple(results)


def _save_entry(t, results, node):
    """(tensor, version counter, version now, output number or None) for one tensor given to save_for_backward.

    An output of the node (a dirty input included) is saved as that output, as PyTorch saves it:
    saved_tensors gives it back with this node as its grad_fn, so that a second derivative flows
    through the Function again. Holding the output itself would make a cycle (output -> node ->
    output), so the entry holds its data and its version counter. Inputs and intermediates are
    held as they are, with their own history (or none).
    """
    if t is None:
        return None
    output_nr = next((r._nr for r in results if t is r and r.grad_fn is node), None)
    if _mode.saved_hooks:  # NOTE [Saved tensor hooks]
        return pack_tensor(t, output_nr)
    vc = version_counter(t)
    if output_nr is not None:
        return (wrap(t._data), vc, vc[0], output_nr)
    return (t, vc, vc[0], None)


def _run_backward(node, xp, g):
    """Call the user's backward with tensors and check what it returns."""
    create = xp is not numpy_ns
    gs = g if isinstance(g, (tuple, list)) else (g,)
    grads = []
    for k, gk in enumerate(gs):
        meta = node.output_meta[k]
        if gk is None and node.materialize_grads and meta is not None:
            gk = np.zeros(meta[0], meta[1])
        grads.append(None if gk is None else gk if isinstance(gk, Tensor) else wrap(gk))
    cls = node._forward_cls
    result = cls.backward(node, *grads)
    result = result if isinstance(result, tuple) else (result,)
    n_in = len(node.next)
    if len(result) != n_in:
        if len(result) > n_in and all(r is None for r in result[n_in:]):
            result = result[:n_in]
        else:
            raise RuntimeError(f"function {type(node).__name__} returned an incorrect number of gradients "
                               f"(expected {n_in}, got {len(result)})")
    out = []
    for i, (r, edge) in enumerate(zip(result, node.next)):
        if r is None or edge is None:
            out.append(None)
            continue
        if not isinstance(r, Tensor):
            raise TypeError(f"function {type(node).__name__} returned a gradient different than None at position "
                            f"{i + 1}, but the corresponding forward input was not a Variable")
        expected = node.input_shapes[i]
        if r._data.shape != expected:
            try:
                r = r.sum_to_size(expected)
            except RuntimeError:
                raise RuntimeError(f"Function {type(node).__name__} returned an invalid gradient at index {i} - got "
                                   f"{list(r._data.shape)} but expected shape compatible with {list(expected)}") \
                    from None
        out.append(r if create else r._data)
    return out


def once_differentiable(fn):
    """Mark a backward as not differentiable itself: it runs without recording a graph."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with _mode_mod.no_grad():
            return fn(ctx, *args)
    return wrapper


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass
