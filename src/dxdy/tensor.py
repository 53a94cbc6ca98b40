"""Tensor: a thin wrapper over an array, with PyTorch's autograd attributes.

The ops (arithmetic, math, reductions, ...) live in `dxdy.ops` and are bound to
Tensor as methods there; this file holds the data model only, and imports nothing
of dxdy but dtypes and mode (NOTE [Where Tensor's methods come from], ops/__init__.py).

NOTE [Version counter]
`_vc` is None until something needs a counter, then a one-element list shared by
a tensor and its views. In-place ops increment it; an op that saves a tensor for
backward records the value, and the backward pass refuses to run when it changed.
`.data` gets a counter of its own, so updates through `.data` are not seen, as in
PyTorch. The list also carries weak references to the live views made by view ops
(`[version, refs, limit]`), so that an in-place write that changes the history of
their memory can give each of them the new history (ops/inplace.py).
"""
import math
import re
import warnings
import weakref

import numpy as np

from . import dtypes as _dt
from .mode import state as _mode

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


# PyTorch's device types, numbered as its DeviceType enum (a device hashes to number << 16 | index), and the
# order in which its message lists them.
_DEVICE_NUMBERS = {"cpu": 0, "cuda": 1, "mkldnn": 2, "opengl": 3, "opencl": 4, "ideep": 5, "hip": 6, "fpga": 7,
                   "maia": 8, "xla": 9, "vulkan": 10, "xpu": 12, "mps": 13, "meta": 14, "hpu": 15, "ve": 16,
                   "lazy": 17, "ipu": 18, "mtia": 19, "privateuseone": 20}
_DEVICE_LIST = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, "
                "meta, hpu, mtia, privateuseone")
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9][0-9]*|0))?")
_NO_INDEX = object()  # device("cuda:1", None) is refused: an index was given twice




class device:
    """Where a tensor lives: `device("cpu")`, `device("cuda", 1)`, `device("mps")`, as PyTorch names them.

    Any of PyTorch's device types can be named and compared, but dxdy computes on the CPU only: placing
    data anywhere else raises what PyTorch's CPU-only build raises there (`check_on_cpu`).
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=_NO_INDEX):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):  # an index alone: of the current accelerator
            raise RuntimeError("Device index must not be negative" if type < 0 else
                               "Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__}), but expected one of:")
        given, index = index is not _NO_INDEX, None if index is _NO_INDEX else index
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{index.__class__.__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        if not type:
            raise RuntimeError("Device string must not be empty")
        parsed = _DEVICE_STRING.fullmatch(type)
        if parsed is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        name, number = parsed.groups()
        if number is not None and int(number) >= 2 ** 31:
            raise RuntimeError(f"Could not parse device index '{number}' in device string '{type}'")
        if name not in _DEVICE_NUMBERS:
            raise RuntimeError(f"Expected one of {_DEVICE_LIST} device type at start of device string: {name}")
        if number is not None and given:
            raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                               f"{type}")
        index = int(number if number is not None else index if index is not None else -1)
        index = (index + 128) % 256 - 128  # PyTorch keeps an index in 8 bits, -1 for none
        self.type, self.index = name, None if index == -1 else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index % 65536})"  # PyTorch shows it as 16 bits here

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented  # as in PyTorch, a device never equals its string
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return _DEVICE_NUMBERS[self.type] << 16 | (255 if self.index is None else self.index & 255)

    def __reduce__(self):
        return device, (self.type,) if self.index is None else (self.type, self.index)


_as_device = device  # for methods whose argument `device` hides the class

_NOT_COMPILED = {"cuda": "CUDA", "xpu": "XPU", "mtia": "MTIA"}
_BACKEND_NAMES = {"lazy": "Lazy", "vulkan": "Vulkan", "privateuseone": "PrivateUse1"}


def check_on_cpu(where, making=True):
    """Refuse to place data on `where` (a device, its string or index; None is the CPU) unless it is the CPU.

    dxdy computes on the CPU only. Elsewhere it raises what PyTorch's CPU-only build raises: an
    AssertionError for CUDA (and XPU, MTIA); for the others a NotImplementedError when making a tensor
    there and a RuntimeError when moving one there (`making=False`). PyTorch has meta tensors; dxdy does not.
    """
    if where is None or where is CPU:
        return
    where = device(where)
    if where.type == "cpu":
        return
    if where.type in _NOT_COMPILED:
        raise AssertionError(f"dxdy not compiled with {_NOT_COMPILED[where.type]} enabled")
    if where.type == "meta":
        raise NotImplementedError("dxdy has no meta tensors: it computes on the CPU only")
    if making:
        raise NotImplementedError(f"Could not run 'aten::empty.memory_format' with arguments from the "
                                  f"'{_BACKEND_NAMES.get(where.type, where.type.upper())}' backend. This could be "
                                  f"because the operator doesn't exist for this backend, or was omitted during the "
                                  f"selective/custom build process (if using custom build).")
    raise RuntimeError(f"dxdy is not linked with support for {where.type} devices")


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


# NOTE [Tensor extras]
# Most tensors are plain: Tensor's slots hold all they have. What only a few carry is in `_extra`,
# None until needed and then one TensorExtras:
#   view_of       for a view, how it was made from its base: (base, node class, forward, params, k), with
#                 k the output number when the view op has several outputs ("multi" views), else None;
#                 an in-place write through the view rewrites the base's history from it (ops/inplace.py)
#   no_grad_view  the view was made without grad mode: PyTorch refuses some writes through such a view
#   cast_of       for a cast an op saved where PyTorch saves the tensor itself, that tensor (its errors name it)
#   hooks         a TensorHooks (graph.py): retain_grad's mark, a leaf's gradient hooks and its AccumulateGrad's
# A tensor with extras never takes the in-place fast path (ops/inplace.py `_direct`).
class TensorExtras:
    """What few tensors carry, kept off Tensor's own slots (NOTE [Tensor extras])."""

    __slots__ = ("view_of", "no_grad_view", "cast_of", "hooks")

    def __init__(self, view_of=None, no_grad_view=False, cast_of=None):
        self.view_of = view_of
        self.no_grad_view = no_grad_view
        self.cast_of = cast_of
        self.hooks = None


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

    itemsize = property(element_size)

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
        """The array itself (shared memory).

        As in PyTorch, refused for a tensor that requires grad while grad mode is on (writes to the
        array would bypass autograd); under no_grad and inside a custom Function's forward it is given.
        """
        if self._rg and _mode.grad_enabled and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            self._data = np.asarray(self._data)
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg and _mode.grad_enabled:  # np.asarray(t) is t.numpy() in PyTorch, refusals included
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
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
                raise RuntimeError(f"attempting to assign a gradient with dtype '{value.dtype.cpp_name}' to a tensor "
                                   f"with grad_dtype '{self.dtype.type_name}'. The gradient must match the "
                                   f"tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def _extras(self):
        """The tensor's TensorExtras, made on first use (NOTE [Tensor extras])."""
        if self._extra is None:
            self._extra = TensorExtras()
        return self._extra

    @property
    def retains_grad(self):
        hooks = None if self._extra is None else self._extra.hooks
        return hooks is not None and hooks.retain_grad is not None

    def detach(self):
        """The same data as a new leaf that does not require grad (shares the version counter)."""
        out = wrap(self._data)
        out._vc = version_counter(self)
        return out

    def detach_(self):
        if self._extra is not None and self._extra.view_of is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        self._nr = 0
        return self

    @property
    def _base(self):
        """The tensor that owns the memory this view shows (None for a tensor that is not a view)."""
        t = self
        while t._extra is not None and t._extra.view_of is not None:
            t = t._extra.view_of[0]
        return None if t is self else t

    def _is_view(self):
        return self._base is not None

    @property
    def is_nested(self):
        return False

    @property
    def name(self):
        return None  # (dxdy has no named tensors)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        if device is not None and _as_device(device).type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        check_on_cpu("cuda")

    def get_device(self):
        return -1


def _rebuild(array, requires_grad):
    t = wrap(array)
    t._rg = requires_grad
    return t


def _wrap_dim(dim, ndim, scalar_ok=True):
    """A dim in [-ndim, ndim) as a non-negative index; IndexError as PyTorch otherwise.

    A 0-d tensor takes dim 0 or -1 (as if it were 1-d) unless `scalar_ok` is False: ops that
    need a real dim refuse it with PyTorch's message."""
    if not ndim and not scalar_ok:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


class OutOfMemory(RuntimeError, MemoryError):
    """PyTorch's error for memory that cannot be had (a RuntimeError), which is also Python's MemoryError: code
    written for either catches it (the command line's memory cap among them)."""


def allocation_error(shape, dtype):
    """PyTorch's RuntimeError for a tensor of `shape` and (NumPy) `dtype` that memory cannot hold, where NumPy
    raises MemoryError (or ValueError, for a size past 2**63 bytes)."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes >= 2 ** 63:
        return RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    return OutOfMemory(f"[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                        f"you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate memory)")


def check_nonempty(fn, shape, dims):
    """PyTorch's IndexError for a reduction without identity (max, argmax, median...) over an empty dim."""
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{fn}: Expected reduction dim {d} to have non-zero size.")
