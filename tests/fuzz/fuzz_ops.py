"""The op table (tests/op_db.py) seen as building blocks of random programs.

A program step calls one OpInfo on one of its samples. The sample's float arrays
become *slots*: places where the generator may put a fresh leaf, an existing leaf
or an earlier step's output. A recording Maker tells, for each float array of a
sample, the interval it was drawn from, so that a tensor put in its place can be
mapped into the op's valid domain. Arrays that a sample maker built further
(well-conditioned matrices, distinct values for sorting, rounded values) are
*structured*: a tensor is only added to them as a small perturbation.
"""
import dataclasses

import numpy as np

from op_db import OP_DB
from op_db_elementwise import ELEMENTWISE
from op_info import Maker, NoGrad

FLOATS = ("float32", "float64")


class RecordingMaker(Maker):
    """A Maker that remembers the interval each array it returned was drawn from."""

    def __init__(self, rng, dtype, domain):
        super().__init__(rng, dtype, domain)
        self.intervals = {}  # id(array) -> (lo, hi)
        self._keep = []      # hold every array, so that no id is reused while we look them up

    def _record(self, a, lo, hi):
        lo = self.domain[0] if lo is None else lo
        hi = self.domain[1] if hi is None else hi
        self._keep.append(a)
        self.intervals[id(a)] = (float(lo), float(hi))
        return a

    def __call__(self, shape, lo=None, hi=None, dtype=None, noncontiguous=False):
        return self._record(super().__call__(shape, lo, hi, dtype, noncontiguous), lo, hi)

    def noncontig(self, shape, lo=None, hi=None):
        return self._record(super().noncontig(shape, lo, hi), lo, hi)


@dataclasses.dataclass
class Slot:
    """A float array of a sample, where a tensor goes."""
    array: np.ndarray
    domain: tuple | None  # (lo, hi) for an array drawn plainly by make(); None when structured


@dataclasses.dataclass
class Const:
    """An array of a sample that stays a constant tensor: indices, masks, NoGrad weights."""
    array: np.ndarray


def template(value, intervals):
    """A sample argument with its float arrays turned into Slots and other arrays into Consts."""
    if isinstance(value, NoGrad):
        return Const(value.array)
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f" or value.dtype == np.float16:
            return Const(value)
        return Slot(value, intervals.get(id(value)))
    if isinstance(value, list):
        return [template(v, intervals) for v in value]
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return tuple(template(v, intervals) for v in value)
    return value


def slots_of(value):
    """The Slots in a templated argument, in order."""
    if isinstance(value, Slot):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in slots_of(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in slots_of(v)]
    return []


def consts_of(value):
    """The Consts in a templated argument, in order."""
    if isinstance(value, Const):
        return [value]
    if isinstance(value, (list, tuple)):
        return [c for v in value for c in consts_of(v)]
    return []


@dataclasses.dataclass
class Call:
    """One sample of one op, templated: what a program step calls."""
    info: object
    dtype: str
    args: tuple
    kwargs: dict
    sample_name: str

    @property
    def slots(self):
        return slots_of(list(self.args)) + slots_of(self.kwargs)

    @property
    def has_indices(self):
        """Whether an integer array (an index, a class target) is among the arguments."""
        return any(c.array.dtype.kind in "iu" for c in consts_of(list(self.args) + list(self.kwargs.values())))

    @property
    def has_masks(self):
        """Whether an integer or bool array (an index, a class target, a mask, a condition) is among them."""
        return any(c.array.dtype.kind in "iub" for c in consts_of(list(self.args) + list(self.kwargs.values())))


def sample_calls(info, dtype, seed):
    """The op's samples for `dtype`, drawn with `seed`, as Calls."""
    maker = RecordingMaker(np.random.default_rng(seed), dtype, info.domain)
    calls = []
    for sample in info.samples(maker, dtype):
        if info.sample_filter is not None and not info.sample_filter(sample, dtype):
            continue
        args = tuple(template(a, maker.intervals) for a in sample.args)
        kwargs = {k: template(v, maker.intervals) for k, v in sample.kwargs.items()}
        calls.append(Call(info, dtype, args, kwargs, sample.name or f"#{len(calls)}"))
    return calls


def step_dtype(info, wanted):
    """The dtype a step of `info` runs in: the program's when the op's table row allows it."""
    return wanted if wanted in info.dtypes else info.dtypes[0]


OPS = tuple(OP_DB)
# Ops whose mixed float dtypes follow type promotion: only these get operands of another dtype uncast.
# (Elsewhere PyTorch's mixed-dtype behaviour is an accident: a loss whose backward fails, say.)
PROMOTING = {id(info) for info in ELEMENTWISE}
