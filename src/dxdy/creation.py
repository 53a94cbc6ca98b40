"""Making tensors: from data, filled, ranges, and random.

Random numbers come from one seeded NumPy generator of dxdy's own:
`manual_seed(s)` makes runs reproducible, but the stream is not PyTorch's.
"""
import builtins
import math
import numbers

import numpy as np

from . import dtypes as _dt
from .tensor import Tensor, wrap, device as _device


def _finish(t, requires_grad):
    if requires_grad:
        if t._data.dtype.kind != "f":  # the factories' wording differs from requires_grad_'s, as in PyTorch
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_(True)
    return t


def _check_device(device):
    if device is not None:
        _device(device)


def _np_dtype(dtype):
    return None if dtype is None else _dt.to_dtype(dtype).np


# -- from data ------------------------------------------------------------------------
def _infer(data):
    """The array PyTorch would build from nested Python data, with its dtype inference."""
    kind = _scan(data, 0, [])
    if kind == "float":
        return np.array(data, dtype=_dt.get_default_dtype().np)
    if kind == "int":
        return np.array(data, dtype=np.int64)
    if kind == "bool":
        return np.array(data, dtype=np.bool_)
    return np.array(data, dtype=_dt.get_default_dtype().np)  # empty lists


def _scan(data, depth, shape):
    """Check that nested sequences are rectangular and find the widest element kind."""
    if isinstance(data, (list, tuple)):
        if len(shape) <= depth:
            shape.append(len(data))
        elif shape[depth] != len(data):
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {len(data)})")
        kind = None
        for item in data:
            k = _scan(item, depth + 1, shape)
            kind = k if kind is None else _wider(kind, k)
        if data == [] or data == ():
            if len(shape) > depth + 1:
                raise ValueError(f"expected sequence of length {shape[depth + 1]} at dim {depth + 1} (got 0)")
        return kind
    if len(shape) > depth:
        raise TypeError("not a sequence")  # PyTorch's words for a number where a list was expected
    if isinstance(data, Tensor):
        if data._data.ndim:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return {"b": "bool", "f": "float"}.get(data._data.dtype.kind, "int")
    if isinstance(data, (builtins.bool, np.bool_)):
        return "bool"
    if isinstance(data, numbers.Integral):
        return "int"
    if isinstance(data, numbers.Real):
        return "float"
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if data is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


_ORDER = {"bool": 0, "int": 1, "float": 2}


def _wider(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a if _ORDER[a] >= _ORDER[b] else b


def _to_array(data, dtype):
    """An array of `data` (numbers, nested sequences, arrays, tensors) in PyTorch's dtype."""
    if isinstance(data, Tensor):
        a = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        a = data
        if a.dtype.kind not in "biuf" or a.dtype.itemsize > 8 or a.dtype == np.uint64 or a.dtype.kind == "u" \
                and a.dtype != np.uint8:
            _dt.from_numpy(a.dtype)  # raises the TypeError naming the dtype
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        a = _infer([_unwrap_scalars(d) for d in data]) if dtype is None else \
            np.array([_unwrap_scalars(d) for d in data])
    elif dtype is None:
        a = _infer(data)
    else:
        _scan(data, 0, [])
        a = np.array(data)
    if dtype is not None:
        a = a.astype(_dt.to_dtype(dtype).np)
    return a


def _flat(data):
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


def _unwrap_scalars(d):
    if isinstance(d, Tensor):
        return d._data.tolist()
    if isinstance(d, (list, tuple)):
        return [_unwrap_scalars(x) for x in d]
    return d


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data`, with PyTorch's dtype inference.

    >>> dxdy.tensor([1, 2, 3]).dtype, dxdy.tensor([1.0, 2]).dtype
    (dxdy.int64, dxdy.float32)
    """
    _check_device(device)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                      "or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "dxdy.tensor(sourceTensor).", UserWarning, stacklevel=2)
    a = _to_array(data, dtype)
    return _finish(wrap(np.array(a, copy=True)), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """A tensor over `data`, sharing memory with a NumPy array or tensor when the dtype allows."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is _dt.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray):
        return wrap(data if dtype is None else data.astype(_dt.to_dtype(dtype).np, copy=False))
    return wrap(_to_array(data, dtype))


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array (writes through either show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy(ndarray.dtype)
    return wrap(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(wrap(np.array(s, d.np)), requires_grad)


# -- filled -------------------------------------------------------------------------------
def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (builtins.int, np.integer)) and not (isinstance(s, Tensor) and s._data.ndim == 0):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if builtins.int(s) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.int(s)}: "
                               f"{list(builtins.int(v) for v in size)}")
    return tuple(builtins.int(s) for s in size)


def _filled(fill, size, dtype, device, requires_grad, default=None):
    _check_device(device)
    d = _dt.to_dtype(dtype) if dtype is not None else (default or _dt.get_default_dtype())
    return _finish(wrap(fill(_size(size), d.np)), requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros; `dxdy.zeros(2, 3)` or `dxdy.zeros((2, 3))`."""
    return _filled(np.zeros, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones."""
    return _filled(np.ones, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor (dxdy fills it with zeros, so results never depend on garbage)."""
    return _filled(np.zeros, size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor filled with `fill_value`; its dtype follows the value (bool, int64, or the default float)."""
    default = _dt.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _filled(lambda s, d: np.full(s, value, d), (size,), dtype, device, requires_grad, default)


def _like(fill, input, dtype, requires_grad):
    d = _dt.to_dtype(dtype).np if dtype is not None else input._data.dtype
    return _finish(wrap(fill(input._data.shape, d)), requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.zeros, input, dtype, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.ones, input, dtype, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.zeros, input, dtype, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(lambda s, d: np.full(s, fill_value, d), input, dtype, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The identity matrix, n x m."""
    _check_device(device)
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(wrap(np.eye(n, n if m is None else m, dtype=d.np)), requires_grad)


# -- ranges ---------------------------------------------------------------------------------
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from start up to (not including) end by step: int64 when all are integers, else the default float."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign")
    if dtype is not None:
        d = _dt.to_dtype(dtype)
    elif all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step)):
        d = _dt.int64
    else:
        d = _dt.get_default_dtype()
    n = builtins.max(0, math.ceil((end - start) / step))
    # Computed in float64 (or int64) and then cast, as PyTorch does, so float32 ranges agree.
    a = (start + np.arange(n, dtype=np.float64 if d.is_floating_point else np.int64) * step).astype(d.np)
    return _finish(wrap(a), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in PyTorch: like arange but including `end`; float by default."""
    if end is None:
        start, end = 0, start
    n = builtins.int(math.floor((end - start) / step)) + 1
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(wrap((start + np.arange(n) * step).astype(d.np)), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, both included."""
    _check_device(device)
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(wrap(np.linspace(start, end, steps).astype(d.np)), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(wrap((base ** np.linspace(start, end, steps)).astype(d.np)), requires_grad)


# -- random ---------------------------------------------------------------------------------
class Generator:
    """A source of random numbers: dxdy's own seeded stream (not PyTorch's)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._state = None  # made on first use: importing numpy.random costs more than all of dxdy

    @property
    def _rng(self):
        if self._state is None:
            self._state = np.random.default_rng(self._seed)
        return self._state

    @_rng.setter
    def _rng(self, rng):
        self._state = rng

    def manual_seed(self, seed):
        self._seed = builtins.int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        self._seed = builtins.int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.default_rng(self._seed)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed dxdy's random stream: the same seed gives the same numbers on every run."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _rng(generator):
    return (generator or default_generator)._rng


def _random(draw, size, dtype, generator, device, requires_grad):
    _check_device(device)
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    if not d.is_floating_point:
        raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for '{d.type_name}'")
    return _finish(wrap(draw(_rng(generator), _size(size)).astype(d.np)), requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    return _random(lambda r, s: r.random(s), size, dtype, generator, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Standard normal samples."""
    return _random(lambda r, s: r.standard_normal(s), size, dtype, generator, device, requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, **_):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **_):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Integers drawn uniformly from [low, high); `randint(10, (3,))` or `randint(2, 10, (3,))`."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    a = _rng(generator).integers(low, high, _size((size,) if isinstance(size, builtins.int) else (size,)))
    return _finish(wrap(a.astype(d.np)), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, **_):
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    return wrap(_rng(generator).permutation(n).astype(d.np))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal samples: tensor means/stds element-wise, or floats with a size."""
    r = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        if builtins.min(np.min(s, initial=0), 0) < 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
        return wrap((m + s * r.standard_normal(shape)).astype(ref._data.dtype))
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _random(lambda g, s: mean + std * g.standard_normal(s), (size,), dtype, generator, device,
                   requires_grad)


def bernoulli(input, p=None, *, generator=None):
    probs = input._data if p is None else np.full(input._data.shape, p)
    return wrap((_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    r = _rng(generator)
    p = input._data.astype(np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = np.stack([r.choice(len(row), num_samples, replace=replacement, p=row / row.sum()) for row in rows])
    return wrap(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


# -- legacy constructors ------------------------------------------------------------------------
def legacy_new(cls, default, args, kwargs):
    """`dxdy.Tensor(data)` / `dxdy.Tensor(2, 3)` and the typed FloatTensor, LongTensor, ...."""
    if kwargs.get("device") is not None:
        _check_device(kwargs["device"])
    if not args:
        return wrap(np.zeros((0,), default.np))
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    if builtins.all(isinstance(a, (builtins.int, np.integer)) for a in args) and not (
            len(args) == 1 and isinstance(args[0], (list, tuple))):
        return wrap(np.zeros(tuple(args), default.np))
    if len(args) == 1 and isinstance(args[0], tuple) and builtins.all(isinstance(a, builtins.int) for a in args[0]) \
            and kwargs.get("size_only"):
        return wrap(np.zeros(args[0], default.np))
    return wrap(_to_array(args[0], default))


def _typed(name, d):
    def make(*args, **kwargs):
        return legacy_new(Tensor, d, args, kwargs)
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"Legacy constructor: a {d.name} tensor from data or a size."
    return make


FloatTensor = _typed("FloatTensor", _dt.float32)
DoubleTensor = _typed("DoubleTensor", _dt.float64)
HalfTensor = _typed("HalfTensor", _dt.float16)
LongTensor = _typed("LongTensor", _dt.int64)
IntTensor = _typed("IntTensor", _dt.int32)
ShortTensor = _typed("ShortTensor", _dt.int16)
CharTensor = _typed("CharTensor", _dt.int8)
ByteTensor = _typed("ByteTensor", _dt.uint8)
BoolTensor = _typed("BoolTensor", _dt.bool)
