"""Tensor: a thin wrapper over an array, with PyTorch's autograd attributes.

The ops (arithmetic, math, reductions, ...) live in `dxdy.ops` and are bound to
Tensor as methods there; this file holds the data model only.

NOTE [Version counter]
`_vc` is None until something needs a counter, then a one-element list shared by
a tensor and its views. In-place ops increment it; an op that saves a tensor for
backward records the value, and the backward pass refuses to run when it changed.
`.data` gets a counter of its own, so updates through `.data` are not seen, as in
PyTorch. The list also carries weak references to the live views made by view ops
(`[version, refs, limit]`), so that an in-place write that changes the history of
their memory can give each of them the new history (ops/inplace.py).
"""
import warnings
import weakref

import numpy as np

from . import dtypes as _dt

_new = object.__new__


class Size(tuple):
    """The shape of a tensor: a tuple that prints as `dxdy.Size([2, 3])`."""

    __slots__ = ()

    def __repr__(self):
        return f"dxdy.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r


class device:
    """Where a tensor lives. dxdy computes on the CPU through NumPy."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type != "cpu":
            raise RuntimeError(f"dxdy runs on the CPU only; device '{type}' is not available")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type

    def __hash__(self):
        return hash(self.type)


CPU = device("cpu")

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead.")


def wrap(data, grad_fn=None):
    """A new tensor over `data` (an array), the output of `grad_fn` or a leaf when None."""
    t = _new(Tensor)
    t._data = data
    t.grad_fn = grad_fn
    t._rg = grad_fn is not None
    t._grad = None
    t._vc = None
    t._nr = 0
    t._extra = None
    return t


def _autograd_backward():
    """dxdy.autograd.backward, imported on first use (autograd imports this module)."""
    global _backward
    if _backward is None:
        from .autograd import backward as _backward
    return _backward


_backward = None


def version_counter(t):
    """The shared counter of `t`, made on first use (NOTE [Version counter])."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def register_view(vc, t):
    """Remember view `t` in its counter `vc`; dead references are dropped as the list doubles."""
    if len(vc) == 1:
        vc += [[], 8]
    refs = vc[1]
    refs.append(weakref.ref(t))
    if len(refs) > vc[2]:
        refs[:] = [r for r in refs if r() is not None]
        vc[2] = max(8, 2 * len(refs))


def live_views(vc):
    """The views registered in `vc` that are still alive."""
    if vc is None or len(vc) == 1:
        return []
    return [v for v in (r() for r in vc[1]) if v is not None]


# Bumped by every in-place write anywhere: a node made since the last one has nothing to
# check (most backward passes), so the engine compares its saved versions only otherwise.
EPOCH = [0]


def bump_version(t):
    """Record an in-place write to `t` (NOTE [Version counter])."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    vc[0] += 1
    EPOCH[0] += 1


class Tensor:
    """An n-dimensional array that can record the ops applied to it for backward.

    >>> x = dxdy.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "grad_fn", "_rg", "_grad", "_vc", "_nr", "_extra", "__weakref__")
    __array_priority__ = 1000  # NumPy defers `ndarray * tensor` to Tensor.__rmul__
    is_node = False  # the engine tells leaves (tensors) from nodes by this

    def __new__(cls, *args, **kwargs):
        # The legacy constructor, `dxdy.Tensor([1, 2])` or `dxdy.Tensor(2, 3)`: float tensors.
        from .creation import legacy_new
        return legacy_new(cls, _dt.get_default_dtype(), args, kwargs)

    # -- data ---------------------------------------------------------------
    @property
    def data(self):
        """The same memory as a tensor that records nothing (the `w.data -= lr * w.grad` idiom)."""
        return wrap(self._data)

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(other).__name__}")
        self._data = other._data

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dt.from_numpy(self._data.dtype)

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "strided"

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return bool(np.asarray(self._data).flags.c_contiguous)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def data_ptr(self):
        return np.asarray(self._data).__array_interface__["data"][0]

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The array itself (shared memory). Refused when the tensor requires grad, as in PyTorch."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            self._data = np.asarray(self._data)
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self._data if isinstance(self._data, np.ndarray) else np.asarray(self._data)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self, kind):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return kind(self._data.reshape(()).item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from .printing import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        # f"{t:.2f}" formats a 0-d tensor's value; anything else prints as str() does.
        if self._data.ndim == 0 and type(self) is Tensor:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        # Pickling keeps data, dtype and requires_grad; never the graph (as PyTorch).
        return (_rebuild, (np.array(self._data), self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        out = wrap(np.array(self._data))
        out._rg = self._rg
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out

    # -- autograd -------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag.__class__ is not bool:
            raise RuntimeError("requires_grad must be a bool")
        if self.grad_fn is not None:
            if flag:
                return
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if flag and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(flag)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place and return the tensor."""
        if requires_grad.__class__ is not bool:
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad and self._data.dtype.kind not in "fc" and self.grad_fn is None:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def __copy__(self):
        # copy.copy shares memory, as PyTorch's does (deepcopy copies).
        t = wrap(self._data)
        t._rg, t._vc = self._rg, self._vc
        return t

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._nr

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def grad(self):
        """The gradient accumulated by backward; None until one arrives."""
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                                   f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                                   f"and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{_c_name(value)}' to a tensor "
                                   f"with grad_dtype '{self.dtype.type_name}'. The gradient must match the "
                                   f"tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def _extras(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    @property
    def retains_grad(self):
        return self._extra is not None and "retain_grad" in self._extra

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor when backward reaches it."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        from .graph import add_tensor_prehook, RetainGrad
        self._extras()["retain_grad"] = add_tensor_prehook(self, RetainGrad(self))

    def register_hook(self, hook):
        """Call `hook(grad)` when the gradient of this tensor is computed; a non-None result replaces it.

        Returns a handle whose remove() takes the hook off.
        """
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .graph import add_tensor_prehook
        return add_tensor_prehook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """On a leaf: call `hook(tensor)` after its .grad has been updated."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .graph import Handle, _HookDict
        hooks = self._extras().setdefault("post_acc_hooks", _HookDict())
        return Handle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into the .grad of every leaf the graph reaches.

        A non-scalar tensor needs `gradient` (same shape): the result is then the
        vector-Jacobian product gradient^T J.
        """
        _autograd_backward()(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """The same data as a new leaf that does not require grad (shares the version counter)."""
        out = wrap(self._data)
        out._vc = version_counter(self)
        return out

    def detach_(self):
        if self._extra is not None and "view_of" in self._extra:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        self._nr = 0
        return self

    @property
    def _base(self):
        """The tensor that owns the memory this view shows (None for a tensor that is not a view)."""
        t = self
        while t._extra is not None and "view_of" in t._extra:
            t = t._extra["view_of"][0]
        return None if t is self else t

    def _is_view(self):
        return self._base is not None

    @property
    def is_nested(self):
        return False

    @property
    def name(self):
        return None if self._extra is None else self._extra.get("name")

    # -- factories that take dtype from self (new_zeros, ...) ---------------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
        from .creation import zeros
        return zeros(*sizes, size=size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False,
                 requires_grad=False):
        from .creation import ones
        return ones(*sizes, size=size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
        from .creation import empty
        return empty(*sizes, size=size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, layout=None, device=None, pin_memory=False,
                 requires_grad=False):
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def uniform_(self, low=0.0, to=1.0, *, generator=None, **from_):
        """Fill with uniform samples from [low, to) (in place; records nothing).

        PyTorch names `low` from, a word Python keeps for itself: `x.uniform_(**{"from": -1}, to=1)`.
        """
        from .creation import _rng
        if from_:
            unknown = [k for k in from_ if k != "from"]
            if unknown:
                raise TypeError(f"uniform_() got an unexpected keyword argument '{unknown[0]}'")
            low = from_["from"]
        return self._fill_random(_rng(generator).uniform(low, to, self._data.shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with normal samples (in place; records nothing)."""
        from .creation import _rng
        return self._fill_random(mean + std * _rng(generator).standard_normal(self._data.shape))

    def _fill_random(self, values):
        from .ops.inplace import check_inplace, _writable
        check_inplace(self)
        _writable(self)[...] = values
        bump_version(self)
        return self

    def cpu(self, memory_format=None):
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("dxdy runs on the CPU only (Torch not compiled with CUDA enabled)")

    def get_device(self):
        return -1


def _c_name(t):
    # PyTorch's C++ spelling of a dtype in this message: 'double', 'float', 'long', ...
    return {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}[t.dtype.name]


def _rebuild(array, requires_grad):
    t = wrap(array)
    t._rg = requires_grad
    return t


def _wrap_dim(dim, ndim):
    """A dim in [-ndim, ndim) as a non-negative index; IndexError as PyTorch otherwise."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim
