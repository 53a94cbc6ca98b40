"""In-place ops (add_, mul_, copy_, x[i] = v, ...): the out-of-place op, written back into self.

NOTE [In-place ops]
An in-place op computes its out-of-place result with the usual graph, then writes
it into self's own memory (so views of self see it), makes the result's node
self's grad_fn, and bumps self's version counter (NOTE [Version counter]). A node
that saved self's old value gets a private copy of it first, so `a.mul_(b)` can
still give b its gradient. The refusals follow PyTorch: a leaf that requires
grad cannot be changed in place while grad mode is on, a result cannot be cast
to a lower dtype category, and an expanded tensor cannot be written.

NOTE [In-place view ops]
`x.t_()`, `x.unsqueeze_(0)`, ... change x's shape, not its values: x takes the
view's array (the same memory) and its node (PyTorch's in-place name, TBackward1),
and stays what it was among the views of its memory. A stand-in for x as it was
takes x's place in the chains of the views made from it before, so that their
positions within the base (`_positions`) still come out right: if x is a view,
the stand-in is x's old view step and x's new step follows it; if x owns its
memory, the stand-in is a view of x that undoes the change.
"""
import functools
import re

import numpy as np

from .. import dtypes as _dt
from ..creation import bernoulli, checked_fill, dtype_arg, _rng
from ..dtypes import type_name
from ..mode import state as _mode, watch as _watch
from ..saved_tensors import before_write
from ..tensor import Tensor, TensorExtras, wrap, version_counter, bump_version, live_views
from ._op import op, numpy_ns, writable as _writable, type_title as _type
from .index import normalize_key, _expand_masks
from .elementwise import (eq, ne, lt, le, gt, ge, asinh, acosh, atanh, clamp, clamp_min, clamp_max, float_power,
                          _NUMBERS, _C_TYPE_NAMES)
from .linalg import addmm
from .reduce import cumsum, cumprod, _numpy_names
from .shape import t, expanded_shape

LEAF_INPLACE = ("a leaf Variable that requires grad is being used in an in-place operation.\n"
                "To fix: change a parameter in place only under dxdy.no_grad() (as an optimizer step does: "
                "with dxdy.no_grad(): w -= lr * w.grad), or compute a new tensor (w = w + 1).")


def check_inplace(t):
    """Refuse in-place changes to a leaf that requires grad (or a view of one) while grad mode is on.

    Every in-place op calls this before it writes into t (and so tells saved-tensor hooks about the write).
    """
    if _watch.on:
        before_write(t)
    if not _mode.grad_enabled:
        return
    if t._rg and t.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE)
    if t._extra is not None and t._extra.view_of is not None:
        root = _view_chain(t)[0]
        if root._rg and root.grad_fn is None:
            if _view_kind(t) is not None:  # (PyTorch's first complaint about such a view)
                raise RuntimeError(_view_error(t, "is being modified inplace"))
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")


def commit(self, result):
    """Write `result` into self's memory and take over its graph (NOTE [In-place ops])."""
    a = self._data
    r = result._data
    if r.shape != a.shape:
        raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(r.shape)}")
    if _dt.from_numpy(r.dtype).category > _dt.from_numpy(a.dtype).category:
        raise RuntimeError(f"result type {_type(r)} can't be cast to the desired output type {_type(a)}")
    node = result.grad_fn
    if node is not None:
        _protect_saved_self(node, self)
    view = self._extra is not None and self._extra.view_of is not None and _mode.grad_enabled
    if view:
        root, chain = _view_chain(self)
        view = node is not None or root._rg
        if view and _view_kind(self) is not None:
            raise RuntimeError(_view_error(self, "is being modified inplace"))
    if isinstance(a, np.ndarray):
        if not a.flags.writeable:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        np.copyto(a, r, casting="unsafe")
    else:
        self._data = np.array(r, dtype=a.dtype)
    if view:
        _rebase(self, root, chain, result)
    bump_version(self)
    if node is not None and not view:
        self.grad_fn = node
        self._rg = True
        self._nr = result._nr
        _retarget_output(node, result, self)
    if view or node is not None:
        _refresh_views(self)
    return self


def _view_chain(t):
    """The tensor that owns t's memory, and the view steps (class, forward, params, k) from it to t."""
    chain = []
    while t._extra is not None and t._extra.view_of is not None:
        parent, cls, forward, params, k = t._extra.view_of
        chain.append((cls, forward, params, k))
        t = parent
    chain.reverse()
    return t, chain


def _rebase(view, root, chain, result):
    """An in-place op on a view rewrote part of root: root's history becomes CopySlices.

    The view's elements within root are found by replaying the view on an array of
    root's flat indices (views only select elements). Root's new node takes
    (root's old history, the op's result); the view reads its elements from root's new history.
    """
    positions = _positions(root, chain)
    value = result if result._data.dtype == root._data.dtype else result.to(root.dtype)
    if root._data.ndim:
        new_root = _setitem(root, value, key=np.unravel_index(positions, root._data.shape))
    else:  # a view of a 0-d tensor shows its one element
        new_root = _setitem(root, value.reshape(()), key=())
    root.grad_fn, root._rg, root._nr = new_root.grad_fn, True, 0
    view.grad_fn, view._rg, view._nr = _as_strided(root, positions=positions).grad_fn, True, 0


def _refresh_views(written):
    """The history of `written`'s memory changed: give every other live view of it the new history.

    A view gets one AsStridedBackward0 node on its base's new history, as in PyTorch.
    A view that a multi-output op or no_grad mode made gets a node that refuses
    backward, since PyTorch refuses such a view once its base changed.
    """
    for v in live_views(written._vc):
        if v is written:
            continue
        root, chain = _view_chain(v)
        if not root._rg:
            continue
        if _view_kind(v) is None:
            v.grad_fn, v._rg, v._nr = _as_strided(root, positions=_positions(root, chain)).grad_fn, True, 0
        else:
            refusal = _refuse(root, message=_view_error(v, "its base or another view of its base has been modified "
                                                        "inplace"))
            v.grad_fn, v._rg, v._nr = refusal.grad_fn, True, 0


def _view_kind(t):
    """None for an ordinary view; "multi" or "no_grad" for one PyTorch forbids writing through.

    As in PyTorch, a view inherits its parent's kind unless it has one of its own.
    """
    while t._extra is not None and t._extra.view_of is not None:
        if t._extra.no_grad_view:
            return "no_grad"
        if t._extra.view_of[4] is not None:
            return "multi"
        t = t._extra.view_of[0]
    return None


def _view_error(t, what):
    kind = _view_kind(t)
    if t.grad_fn is None or kind == "no_grad":
        head = f"A view was created in no_grad mode and {what} with grad mode enabled."
    else:
        name = re.sub(r"Backward\d*$", "", t.grad_fn.name())
        head = f"Output {t._nr} of {name} is a view and {what}."
    if kind == "multi":
        return head + (" This view is the output of a function that returns multiple views. Such functions do not "
                       "allow the output views to be modified inplace. You should replace the inplace operation by "
                       "an out-of-place one.")
    return head + (" Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                   "code by moving both the view and the inplace either both inside the no_grad block (if you "
                   "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")


def _as_strided_vjp(xp, g, x_shape, x_dtype, positions):
    flat = xp.index_add_zeros((int(np.prod(x_shape)),), x_dtype, positions, g)
    return xp.reshape(flat, x_shape)


# A view's history after its memory changed: the elements at `positions` (flat) of its base.
_as_strided = op(lambda xp, x, *, positions: xp.reshape(x, (-1,))[positions], vjp=_as_strided_vjp,
                 node="AsStridedBackward0")


def _refuse_vjp(xp, g, message):
    raise RuntimeError(message)


# The history of a view that may no longer be used for backward (see _refresh_views).
_refuse = op(lambda xp, x, *, message: x, vjp=_refuse_vjp, node="AsStridedBackward0")


def _positions(root, chain):
    """The flat positions within root of the elements of the view `chain` makes of it."""
    idx = np.arange(root._data.size).reshape(root._data.shape)
    for cls, forward, params, k in chain:
        idx = forward(numpy_ns, idx, **params)
        idx = idx if k is None else idx[k]
    return np.asarray(idx)


def _protect_saved_self(node, self):
    # The node may have saved self's old value: give it a copy that the write below cannot touch.
    if not node.tensors:
        return
    saved, tensors = list(node.saved), list(node.tensors)
    versions = list(node.versions or (0,) * len(tensors))
    for i, src in enumerate(tensors):
        if src is self:
            snapshot = wrap(np.array(self._data), self.grad_fn)
            snapshot._rg, snapshot._nr = self._rg, self._nr
            saved[i], tensors[i], versions[i] = snapshot._data, snapshot, 0
        elif src.__class__ is Tensor and src._extra is not None and src._extra.cast_of is self:
            src._vc, versions[i] = None, 0  # a cast of self (ops/_op.py _as_dtype) is a copy already
    node.saved, node.tensors, node.versions = tuple(saved), tuple(tensors), tuple(versions)


def _retarget_output(node, result, self):
    # A saved result now lives in self: check self's version from here on.
    if not node.tensors or result._vc is None:
        return
    saved, tensors = list(node.saved), list(node.tensors)
    versions = list(node.versions or (0,) * len(tensors))
    for i, src in enumerate(tensors):
        if src is result._vc:
            vc = version_counter(self)
            saved[i], tensors[i], versions[i] = self._data, vc, vc[0]
    node.saved, node.tensors, node.versions = tuple(saved), tuple(tensors), tuple(versions)


def inplace(out_of_place, name, ufunc=None):
    """The in-place form `x.name_(...)` of an out-of-place op.

    With `ufunc` (arithmetic), an update that records no graph, such as an
    optimizer's `w -= lr * w.grad` under no_grad, is computed straight into
    self's memory; anything else takes the general path.
    """
    def method(self, *args, **kwargs):
        if ufunc is not None and not kwargs and len(args) == 1 and _direct(ufunc, self, args[0]):
            return self
        check_inplace(self)
        return commit(self, out_of_place(self, *args, **kwargs))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place {out_of_place.__name__}: writes the result into self and returns self."
    return method


def _direct(ufunc, self, other):
    """Apply `ufunc(self, other)` into self when no graph is involved; False to take the general path."""
    other_t = isinstance(other, Tensor)
    if _mode.grad_enabled and (self._rg or (other_t and other._rg) or self._extra is not None):
        return False  # a graph to record, or a view whose base may require grad
    a = self._data
    if a.__class__ is not np.ndarray or not a.flags.writeable or a.dtype.kind != "f":
        return False
    b = other._data if other_t else other
    if not other_t and not isinstance(b, (int, float)):
        return False
    if _watch.on:
        before_write(self)
    try:
        ufunc(a, b, out=a, casting="same_kind")
    except (ValueError, TypeError):
        return False  # broadcasting or casting problems: the general path raises PyTorch's error
    bump_version(self)
    return True


def inplace_view(view_op, name):
    """The in-place form `x.name_(...)` of a view op: x takes the view's shape (NOTE [In-place view ops])."""
    def method(self, *args, **kwargs):
        check_inplace(self)
        if _mode.grad_enabled and self._extra is not None and self._extra.view_of is not None \
                and _view_kind(self) is not None and (self._rg or _view_chain(self)[0]._rg):
            raise RuntimeError(_view_error(self, "is being modified inplace"))
        _take_view(self, view_op(self, *args, **kwargs))
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place {view_op.__name__}: self takes the result's shape and returns self."
    return method


# PyTorch numbers the nodes of the in-place view ops after the out-of-place overloads.
_IN_PLACE_VIEW_NODES = {"TBackward0": "TBackward1", "TransposeBackward0": "TransposeBackward1",
                        "SqueezeBackward0": "SqueezeBackward3", "SqueezeBackward1": "SqueezeBackward4",
                        "SqueezeBackward2": "SqueezeBackward5", "UnsqueezeBackward0": "UnsqueezeBackward1"}


@functools.lru_cache(maxsize=None)
def _renamed(cls, name):
    """The node class `cls` (same rules) under another name."""
    return type(name, (cls,), {"__slots__": ()})


def _take_view(self, view):
    """Self becomes `view`, a view of self made by a single-output view op (NOTE [In-place view ops])."""
    _, _, forward, params, _ = view._extra.view_of
    extra = self._extra
    was_view = extra is not None and extra.view_of is not None
    made_before = [v for v in live_views(self._vc) if v._extra.view_of[0] is self]
    if was_view or made_before:
        before = wrap(self._data)
        before._vc = self._vc
        if was_view:  # `before` takes self's place as a view; self (its hooks kept) becomes a view of it
            before._extra = TensorExtras(extra.view_of, extra.no_grad_view)
            extra.view_of = (before, None, forward, params, None)
            extra.no_grad_view = not _mode.grad_enabled
        else:
            old = np.arange(self._data.size).reshape(self._data.shape)
            undo = np.empty(old.size, np.int64)
            undo[np.asarray(forward(numpy_ns, old, **params)).reshape(-1)] = np.arange(old.size)
            before._extra = TensorExtras((self, None, _gather, {"index": undo.reshape(old.shape)}, None))
        for v in made_before:
            v._extra.view_of = (before,) + v._extra.view_of[1:]
    self._data = view._data
    node = view.grad_fn
    if node is not None:
        node.__class__ = _renamed(type(node), _IN_PLACE_VIEW_NODES[type(node).__name__])
        self.grad_fn, self._rg, self._nr = node, True, 0
    bump_version(self)


def _gather(xp, x, *, index):
    return xp.reshape(x, (-1,))[index]


def t_(self):
    """In-place t: a 2-D self becomes its transpose."""
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    return _t_in_place(self)


_t_in_place = inplace_view(t, "t_")


# -- in-place forms with rules of their own ---------------------------------------------------------
# Some in-place ops record a node of their own where the out-of-place op records none (its result has no
# derivative) or another one: the node's row takes the values computed without a graph.
def _given_values(node, vjp_self, vjp_other=None):
    if vjp_other is None:
        return op(lambda xp, x, *, values: values, vjp=vjp_self, node=node)
    return op(lambda xp, x, y, *, values: values, vjp=(vjp_self, vjp_other), node=node, broadcasts=True)


def _zeros_vjp(xp, g):
    return xp.zeros_like(g)


def _comparison_in_place(compare):
    """`x.lt_(other)`: 1 where the comparison holds, else 0, in self's dtype.

    A comparison has no gradient, but in place, with a tensor that requires grad,
    PyTorch records LtBackward0 (other a number) or LtBackward1 (other a tensor),
    whose gradients are zeros.
    """
    title = compare.__name__.capitalize()
    by_number = _given_values(f"{title}Backward0", _zeros_vjp)
    by_tensor = _given_values(f"{title}Backward1", _zeros_vjp, _zeros_vjp)

    def method(self, other):
        if not isinstance(other, _NUMBERS):
            raise TypeError(f"{method.__name__}() received an invalid combination of arguments - got "
                            f"({type_name(other)}), but expected one of:\n * (Tensor other)\n * (Number other)\n")
        check_inplace(self)
        result = compare(self, other)
        tensor = isinstance(other, Tensor)
        if _mode.grad_enabled and (self._rg or tensor and other._rg):
            result = by_tensor(self, other, values=result._data) if tensor else by_number(self, values=result._data)
        return commit(self, result)
    method.__name__ = method.__qualname__ = compare.__name__ + "_"
    method.__doc__ = f"In-place {compare.__name__}: 1 where it holds, else 0, in self's dtype; returns self."
    return method


eq_, ne_, lt_, le_, gt_, ge_ = (_comparison_in_place(f) for f in (eq, ne, lt, le, gt, ge))


def float_power_(self, exponent):
    """In-place float_power: self must have the result's dtype, float64."""
    if self._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_type(self._data)} but the operation's result "
                           f"requires dtype Double")
    check_inplace(self)
    return commit(self, float_power(self, exponent))


def _cumulative_in_place(cumulative):
    def method(self, dim, *, dtype=None):
        dtype = dtype_arg(method.__name__, dtype)
        check_inplace(self)
        if dtype is not None and dtype is not self.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_C_TYPE_NAMES[self.dtype.name]} and output "
                               f"tensor dtype {_C_TYPE_NAMES[dtype.name]} should match")
        return commit(self, cumulative(self, dim, dtype=self.dtype))
    method.__name__ = method.__qualname__ = cumulative.__name__ + "_"
    method.__doc__ = f"In-place {cumulative.__name__}, in self's dtype; returns self."
    return method


cumsum_, cumprod_ = (_numpy_names(_cumulative_in_place(f)) for f in (cumsum, cumprod))


def _clamp_in_place(clamp):
    def method(self, *args, **kwargs):
        check_inplace(self)
        result = clamp(self, *args, **kwargs)
        numbers = not any(isinstance(b, Tensor) for b in args + tuple(kwargs.values()))
        if numbers and _dt.from_numpy(result._data.dtype).category > _dt.from_numpy(self._data.dtype).category:
            # (with number bounds, PyTorch spells self's dtype as C++ does here)
            raise RuntimeError(f"result type {_type(result._data)} can't be cast to the desired output type "
                               f"{_C_TYPE_NAMES[self.dtype.name]}")
        return commit(self, result)
    method.__name__ = method.__qualname__ = clamp.__name__ + "_"
    method.__doc__ = f"In-place {clamp.__name__}; returns self."
    return method


clamp_, clamp_min_, clamp_max_ = (_clamp_in_place(f) for f in (clamp, clamp_min, clamp_max))


def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    """In-place addmm: self must have the product's shape (it does not broadcast)."""
    check_inplace(self)
    result = addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"Bad in-place call: input tensor size {list(self._data.shape)} and output tensor size "
                           f"{list(result._data.shape)} should match")
    return commit(self, result)


def _without_derivative_in_place(fn):
    """PyTorch's asinh_, acosh_ and atanh_ record a node (AsinhBackward1) that refuses backward."""
    name = fn.__name__

    def refuse(xp, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not implemented.")
    row = _given_values(f"{name.capitalize()}Backward1", refuse)

    def method(self):
        check_inplace(self)
        result = fn(self)
        if _mode.grad_enabled and self._rg:
            result = row(self, values=result._data)
        return commit(self, result)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place {name}; as in PyTorch, it has no derivative. Returns self."
    return method


asinh_, acosh_, atanh_ = (_without_derivative_in_place(f) for f in (asinh, acosh, atanh))

# bernoulli_'s draws have no gradient; with a tensor that requires grad, PyTorch records these nodes.
_bernoulli_number = _given_values("BernoulliBackward2", _zeros_vjp)
_bernoulli_tensor = _given_values("BernoulliBackward1", _zeros_vjp, _zeros_vjp)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill self with 1 (with probability p: a number, or a tensor that expands to self's shape) or 0."""
    tensor = isinstance(p, Tensor)
    if not tensor and not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"bernoulli_() received an invalid combination of arguments - got ({type_name(p)}), but "
                        f"expected one of:\n * (Tensor p, *, torch.Generator generator = None)\n"
                        f" * (float p = 0.5, *, torch.Generator generator = None)\n")
    if not tensor and not 0 <= p <= 1:  # (p=2.0 is "p=2" in PyTorch's message)
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    check_inplace(self)
    if tensor:
        draws = bernoulli(p.detach().expand(self.shape), generator=generator)
    else:
        draws = bernoulli(self, p, generator=generator)
    values = draws._data.astype(self._data.dtype, copy=False)
    if _mode.grad_enabled and (self._rg or tensor and p._rg):
        return commit(self, _bernoulli_tensor(self, p, values=values) if tensor else
                      _bernoulli_number(self, values=values))
    return commit(self, wrap(values))


def uniform_(self, low=0.0, to=1.0, *, generator=None, **from_):
    """Fill with uniform samples from [low, to) (in place; records nothing).

    PyTorch names `low` from, a word Python keeps for itself: `x.uniform_(**{"from": -1}, to=1)`.
    """
    if from_:
        unknown = [k for k in from_ if k != "from"]
        if unknown:
            raise TypeError(f"uniform_() got an unexpected keyword argument '{unknown[0]}'")
        low = from_["from"]
    return _fill_random(self, _rng(generator).uniform(low, to, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples (in place; records nothing)."""
    return _fill_random(self, mean + std * _rng(generator).standard_normal(self._data.shape))


def _fill_random(self, values):
    check_inplace(self)
    _writable(self)[...] = values
    bump_version(self)
    return self


# -- copy_, fill_, zero_ --------------------------------------------------------------------------
_copy = op(lambda xp, x, src: xp.broadcast_to(src, x.shape).astype(x.dtype),
           vjp=(lambda xp, g, src_shape, src_dtype: g * 0,
                lambda xp, g, src_shape, src_dtype: xp.astype(xp.sum_to_size(g, src_shape), src_dtype)),
           node="CopyBackwards")
_fill = op(lambda xp, x, *, value: xp.full(x.shape, value, x.dtype), vjp=lambda xp, g: g * 0, node="FillBackward2")
_fill_tensor = op(lambda xp, x, value: xp.full(x.shape, value, x.dtype),
                  vjp=(lambda xp, g: g * 0, lambda xp, g: xp.sum(g)), node="FillBackward3")
_zero = op(lambda xp, x: xp.zeros_like(x), vjp=lambda xp, g: g * 0, node="ZeroBackward0")


def copy_(self, other, non_blocking=False):
    """Copy other (broadcast, cast to self's dtype) into self."""
    src = other
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type_name(src)}")
    check_inplace(self)
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match the "
                           f"size of tensor b ({src._data.shape[-1]}) at non-singleton dimension "
                           f"{self._data.ndim - 1}") from None
    if not _mode.grad_enabled or not (self._rg or src._rg):
        a = _writable(self)
        np.copyto(a, np.broadcast_to(src._data, a.shape), casting="unsafe")
        bump_version(self)
        return self
    result = _copy(self, src)
    return commit(self, result)


def fill_(self, value):
    """Set every element to value (a number or a 0-d tensor)."""
    if not isinstance(value, (Tensor, int, float, np.number, np.bool_)) or isinstance(value, complex):
        raise TypeError(f"fill_() received an invalid combination of arguments - got ({type_name(value)}), but "
                        f"expected one of:")
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if _mode.grad_enabled and (self._rg or value._rg):
            return commit(self, _fill_tensor(self, value))
        value = value.item()
    else:
        value = checked_fill(value, self._data.dtype, self._data.size)  # PyTorch's errors where it overflows
    if _mode.grad_enabled and self._rg:
        return commit(self, _fill(self, value=value))
    _writable(self)[...] = value
    bump_version(self)
    return self


def zero_(self):
    """Set every element to zero (the `x.grad.zero_()` idiom)."""
    check_inplace(self)
    if _mode.grad_enabled and self._rg:
        return commit(self, _zero(self))
    _writable(self)[...] = 0
    bump_version(self)
    return self


# -- __setitem__ -------------------------------------------------------------------------------------
def _setitem_forward(xp, x, v, *, key):
    out = x.copy()
    out[key] = v
    return out


def _setitem_self_vjp(xp, g, v_shape, key):
    return xp.index_put_zeros(g, key)  # the written elements no longer depend on x


def _setitem_value_vjp(xp, g, v_shape, key):
    return xp.reshape(xp.sum_to_size(g[key], v_shape), v_shape)


# One rule; two rows for PyTorch's names: a key of ints and slices writes through a view
# (CopySlices), a key with index tensors or masks is index_put_ (IndexPutBackward0).
_setitem = op(_setitem_forward, vjp=(_setitem_self_vjp, _setitem_value_vjp), node="CopySlices")
_index_put = op(_setitem_forward, vjp=(_setitem_self_vjp, _setitem_value_vjp), node="IndexPutBackward0")


def setitem(self, key, value):
    """`x[key] = value`: write into x in place (value broadcasts; gradients flow to both)."""
    if not isinstance(value, (Tensor, int, float)):  # Python numbers and tensors only (not NumPy's), as in PyTorch
        raise TypeError(f"can't assign a {type_name(value)} to a dxdy.{self.dtype.type_name}Tensor")
    items, advanced = normalize_key(key, self._data.shape)
    if advanced:
        items = _expand_masks(items)
    v = value if isinstance(value, Tensor) else None
    if v is not None:
        v = _conform_value(v, np.shape(self._data[items]), advanced)
        if v._data.dtype != self._data.dtype:
            v = v.to(self.dtype)
    check_inplace(self)
    if not _mode.grad_enabled or not (self._rg or (v is not None and v._rg)):
        a = _writable(self)
        a[items] = v._data if v is not None else value
        bump_version(self)
        return
    if v is None:
        v = wrap(np.asarray(value, self._data.dtype))
    commit(self, (_index_put if advanced else _setitem)(self, v, key=items))


def _conform_value(v, target, advanced):
    """The value with its leading size-1 dims dropped (as PyTorch does), checked to broadcast to `target`."""
    shape = v._data.shape
    lead = 0
    while lead < len(shape) and shape[lead] == 1:
        lead += 1
    if lead:
        v = v.reshape(shape[lead:])
    if advanced:
        try:
            ok = np.broadcast_shapes(v._data.shape, target) == tuple(target)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to indexing "
                               f"result of shape {list(target)}")
    else:
        expanded_shape(v, tuple(target))
    return v
