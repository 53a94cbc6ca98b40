"""The op table the generic tests run on (DESIGN.md, principle 6).

One OpInfo per public op: how to call it in dxdy and in PyTorch, and sample
inputs. Samples are made of NumPy arrays, so one sample feeds both libraries;
floating arrays become tensors that require grad. tests/test_ops.py checks every
op against PyTorch (forward values and dtype, gradients for a random upstream
gradient) and against finite differences (gradcheck, gradgradcheck).

To add an op: append an OpInfo to the family list below (or to a family module
in tests/op_db_*.py that extends OP_DB), with samples that cover scalars,
broadcasting, zero-size and non-contiguous inputs where the op takes them.
"""
import dataclasses
import itertools
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


ELEMENTWISE = [
    OpInfo("add", binary_samples()),
    OpInfo("sub", binary_samples()),
    OpInfo("mul", binary_samples()),
    OpInfo("div", binary_samples(lo=0.5, hi=2.0)),
    OpInfo("exp", unary_samples()),
    OpInfo("log", unary_samples(lo=0.1, hi=3.0)),
    OpInfo("sin", unary_samples()),
    OpInfo("tanh", unary_samples()),
    OpInfo("sigmoid", unary_samples()),
]

REDUCE = [
    OpInfo("sum", lambda make, dtype: [Sample((make((2, 3)),)), Sample((make((2, 3)), 1)),
                                       Sample((make((2, 3, 4)), (0, 2), True)), Sample((make(()),)),
                                       Sample((make((0, 3)), 0))]),
    OpInfo("mean", lambda make, dtype: [Sample((make((2, 3)),)), Sample((make((2, 3)), -1, True))]),
]

LINALG = [
    OpInfo("dot", lambda make, dtype: [Sample((make((3,)), make((3,))))]),
    OpInfo("matmul", lambda make, dtype: [Sample((make(a), make(b)), name=f"{a}@{b}") for a, b in
                                          [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                           ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2))]]),
]

OP_DB = ELEMENTWISE + REDUCE + LINALG

# Public names that are not ops (no gradient to check): creation, random numbers, modes,
# dtypes and classes, and utilities. Each is tested in its own test module.
NOT_OPS = set("""
tensor as_tensor asarray from_numpy scalar_tensor zeros ones empty full zeros_like ones_like empty_like full_like
eye arange linspace logspace rand randn rand_like randn_like randint randint_like randperm normal bernoulli
multinomial manual_seed seed initial_seed get_rng_state set_rng_state Generator
FloatTensor DoubleTensor HalfTensor LongTensor IntTensor ShortTensor CharTensor ByteTensor BoolTensor
Tensor Size device dtype no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled
is_inference_mode_enabled get_default_dtype set_default_dtype promote_types result_type can_cast is_tensor
is_floating_point numel set_num_threads get_num_threads compile set_printoptions get_printoptions
broadcast_shapes
""".split())


def ops_by_name():
    table = {}
    for info in OP_DB:
        table.setdefault(info.name, []).append(info)
    return table
