"""dxdy: PyTorch's autograd, in pure Python on NumPy.

`import dxdy as torch` runs a script written for torch.autograd:

>>> import dxdy as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
import warnings as _warnings

from .dtypes import (dtype, bool, uint8, int8, int16, int32, int64, float16, float32, float64,
                    get_default_dtype, set_default_dtype, promote_types)
from .dtypes import ALIASES as _ALIASES
from . import dtypes as _dt
from .tensor import Tensor, Size, device
from .mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                   is_inference_mode_enabled)
from .creation import (tensor, as_tensor, asarray, from_numpy, scalar_tensor, zeros, ones, empty, full, zeros_like,
                       ones_like, empty_like, full_like, eye, arange, range, linspace, logspace, rand, randn, rand_like,
                       randn_like, randint, randint_like, randperm, normal, bernoulli, multinomial, manual_seed, seed,
                       initial_seed, get_rng_state, set_rng_state, Generator, default_generator,
                       FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor,
                       ByteTensor, BoolTensor)
from . import ops as _ops
from .dtypes import finfo, iinfo
globals().update(_ops.top_level_functions())  # the ops, by their names (NOTE [Methods and in-place forms])
from . import autograd, nn, linalg, return_types
from .nn.functional import relu_
from .autograd import grad as _grad_fn  # noqa: F401  (dxdy.autograd.grad; `dxdy.grad` is not PyTorch's)
from .printing import set_printoptions, get_printoptions
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

# NumPy reports overflow, 0/0 and friends with RuntimeWarnings; PyTorch is silent about
# them. Silence them where dxdy's own code computes, and nowhere else. (Under pytest, which
# drops filters added during collection, dxdy/_pytest_plugin.py adds the same filter.)
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"dxdy(\.|$)")

__version__ = "0.1.0"


def is_tensor(obj):
    """True when obj is a dxdy Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor, other):
    """The dtype an op of tensor and other (tensors or numbers) gives, by PyTorch's promotion."""
    dims, zero_dims, scalars = [], [], []
    for v in (tensor, other):
        if isinstance(v, Tensor):
            (dims if v.ndim else zero_dims).append(v.dtype)
        else:
            scalars.append(_dt.scalar_dtype(v))
    return _dt.result_type_of(dims, zero_dims, scalars)


def can_cast(from_, to):
    return from_.category <= to.category


def set_num_threads(n):
    """Kept for scripts written for PyTorch: dxdy's threading is NumPy's."""


def get_num_threads():
    return 1


def compile(model=None, **kwargs):
    """PyTorch's compiler is not part of dxdy: the function comes back unchanged."""
    return model if model is not None else (lambda f: f)


import types as _types

# nn.functional's functions that PyTorch's top level shares, from ops/nn_layers.py, loaded on first use (import time)
_LAZY = ("cosine_similarity", "pairwise_distance", "conv1d", "conv2d", "prelu")
__all__ = sorted([n for n, v in globals().items() if not n.startswith("_") and not isinstance(v, _types.ModuleType)]
                 + list(_LAZY)) + ["autograd", "nn", "linalg"]


def __getattr__(name):
    if name in _LAZY:
        from .ops import nn_layers
        return getattr(nn_layers, name)
    if name in ("func", "explain", "viz"):  # loaded on first use, as the nn layers are (dxdy.explain is callable)
        import importlib
        return importlib.import_module("." + name, __name__)
    if name in ("cuda", "backends"):
        from . import _stubs
        return getattr(_stubs, name)
    raise AttributeError(f"module 'dxdy' has no attribute '{name}'")
