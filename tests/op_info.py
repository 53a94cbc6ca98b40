"""OpInfo, Sample and sample makers: the vocabulary of the op table (tests/op_db.py)."""

import dataclasses
from typing import Callable, Optional

import numpy as np


@dataclasses.dataclass
class Sample:
    """Positional and keyword arguments; NumPy arrays in them become tensors."""
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    name: str = ""

    def __repr__(self):
        shapes = [getattr(a, "shape", a) for a in self.args]
        return f"{self.name or 'sample'}{shapes}{self.kwargs or ''}"


class NoGrad:
    """A float array that becomes a tensor which does not require grad (loss weights and the like)."""

    def __init__(self, array):
        self.array = array
        self.shape = array.shape

    def __repr__(self):
        return f"NoGrad{self.shape}"


def map_arrays(value, f):
    """A sample argument with `f` applied to each array in it (a NumPy array or a NoGrad), through lists and
    through tuples that hold arrays; anything else as it is."""
    if isinstance(value, (np.ndarray, NoGrad)):
        return f(value)
    if isinstance(value, list):
        return [map_arrays(v, f) for v in value]
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return tuple(map_arrays(v, f) for v in value)
    return value


@dataclasses.dataclass
class OpInfo:
    name: str                              # the dxdy name, e.g. "exp", "nn.functional.softmax", "linalg.det"
    samples: Callable                      # samples(make, dtype) -> list[Sample]; make(shape, lo, hi) draws arrays
    torch_name: Optional[str] = None       # the PyTorch name when it differs
    domain: tuple = (-2.0, 2.0)            # where `make` draws values by default
    method: bool = True                    # also call it as a Tensor method (first arg the tensor)
    grad: bool = True                      # differentiable: check gradients
    gradgrad: bool = True                  # check second derivatives too
    dtypes: tuple = ("float32", "float64")
    atol: float = 1e-5                     # extra absolute tolerance (float32 gets 1e-5 more, float64 1e-10)
    rtol: float = 1e-4
    grad_atol: Optional[float] = None      # tolerance for gradients when looser than the forward's
    exact_node: Optional[str] = None       # the grad_fn name expected (checked against PyTorch's by default)
    check_node_name: bool = True
    nondeterministic: bool = False         # random ops: compare shapes and dtypes only
    sample_filter: Optional[Callable] = None

    @property
    def torch_path(self):
        return self.torch_name or self.name


class Maker:
    """Draws sample arrays: `make(shape)` in the op's domain, of the dtype under test."""

    def __init__(self, rng, dtype, domain):
        self.rng, self.dtype, self.domain = rng, dtype, domain

    def __call__(self, shape, lo=None, hi=None, dtype=None, noncontiguous=False):
        lo = self.domain[0] if lo is None else lo
        hi = self.domain[1] if hi is None else hi
        d = np.dtype(dtype or self.dtype)
        if d.kind in "iu":
            return self.rng.integers(int(lo), int(hi), size=shape).astype(d)
        if d.kind == "b":
            return self.rng.random(shape) < 0.5
        if noncontiguous and len(shape) >= 2:
            return (self.rng.uniform(lo, hi, size=shape[::-1]).astype(d)).T.copy().T
        return self.rng.uniform(lo, hi, size=shape).astype(d)

    def noncontig(self, shape, lo=None, hi=None):
        """A non-contiguous array: the transpose of a contiguous one."""
        a = self(tuple(reversed(shape)), lo, hi)
        return a.T


# -- sample helpers -----------------------------------------------------------------------------
UNARY_SHAPES = [(), (3,), (2, 3), (2, 1, 3), (0, 3)]
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), ()), ((0, 3), (3,))]


def unary_samples(shapes=UNARY_SHAPES, lo=None, hi=None, **kwargs):
    def samples(make, dtype):
        out = [Sample((make(s, lo, hi),), dict(kwargs), name=f"shape{s}") for s in shapes]
        out.append(Sample((make.noncontig((3, 2), lo, hi),), dict(kwargs), name="noncontig"))
        return out
    return samples


def binary_samples(shapes=BINARY_SHAPES, lo=None, hi=None, scalar=1.5, lo2=None, hi2=None):
    def samples(make, dtype):
        out = [Sample((make(a, lo, hi), make(b, lo2 if lo2 is not None else lo, hi2 if hi2 is not None else hi)),
                      name=f"{a}x{b}") for a, b in shapes]
        if scalar is not None:
            out.append(Sample((make((2, 3), lo, hi), scalar), name="tensor-scalar"))
        return out
    return samples


