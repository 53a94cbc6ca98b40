"""dxdy's ops, by family, and their binding to Tensor as methods and operators.

NOTE [Methods and in-place forms]
The family modules hold the ops; dxdy's top-level functions and the Tensor methods
are derived from them here, so that adding an op needs no list of names (its row
with its public function, and its OpInfo entry):
- every public function of a family module is an op under its name, except the
  helpers the modules share (HELPERS) and torch.linalg's functions (LINALG_ONLY,
  exported by dxdy/linalg.py only); where a module has both torch.linalg's `det`
  and torch's `torch_det`, the op `det` is torch's. An alias is a second name
  for the same function (`arcsin = asin`) and is an op under both names;
- every op is a top-level function (`dxdy.exp`), except the Tensor methods that
  PyTorch has no function for (NOT_FUNCTIONS); of ops/nn.py, nn.functional's,
  only those PyTorch also has at top level, as the same function or with the
  same signature (NN_AT_TOP_LEVEL; ops/nn_layers.py's: dxdy/__init__.py's _LAZY);
- every op is also the Tensor method of its name (`x.exp()` is `dxdy.exp(x)`:
  the function itself, no wrapper), except those in NOT_METHODS;
- an element-wise op (ops/elementwise.py) has an in-place form `x.exp_()`, except
  those in NO_IN_PLACE; an op of another family has one when IN_PLACE names it.
  ops/inplace.py makes the form: the out-of-place result written back into self
  (`inplace`), or for a shape op self taking the view's shape (`inplace_view`);
  a form that ops/inplace.py writes out itself (`lt_`, `cumsum_`, ...) is taken
  as written.
tests/test_tensor_methods.py holds the methods and in-place forms to PyTorch's
Tensor, both ways; tests/test_aliases.py holds every name PyTorch has for an op
dxdy implements (its aliases, at top level, as methods and in place).

NOTE [Where Tensor's methods come from]
tensor.py holds Tensor's data model and imports nothing of dxdy but dtypes and mode,
so that every other module can import it. A method that needs another module is
written there, as a function of `self`, and attached here in `_bind`, with the ops:
the legacy constructor (creation.tensor_new), repr (printing), backward (autograd),
the hook methods (graph), the random fills (ops/inplace.py, like every `name_`).
"""
import types

import numpy as np

from ..tensor import Tensor
from . import elementwise, reduce, shape, index, linalg, nn, convert, inplace, sorting
from . import _tensor_ns  # noqa: F401  (fills tensor_ns)
from .. import autograd, creation, graph, printing  # (after the families: autograd's engine imports ops._op)
from .elementwise import _add, _sub, _rsub, mul, _div, reciprocal, neg

FAMILIES = (elementwise, reduce, shape, index, linalg, convert, sorting)

# Helpers the family modules share; torch.linalg's functions (Tensor.solve is the torch.solve PyTorch removed).
HELPERS = frozenset("dims infer_shape expanded_shape split_method getitem normalize_key take_kept scatter_kept".split())
LINALG_ONLY = frozenset("inv solve matrix_norm vector_norm".split())

# Line by line: PyTorch's functions that are not Tensor methods; methods bound in _bind with a signature of their own.
NOT_METHODS = frozenset("""
cat concat concatenate stack hstack vstack row_stack dstack column_stack atleast_1d atleast_2d atleast_3d meshgrid
cartesian_prod broadcast_tensors broadcast_shapes einsum tensordot cdist tril_indices triu_indices isin searchsorted
std_mean var_mean trapezoid trapz rsub
where split
""".split())

# Tensor methods that are no torch.* function.
NOT_FUNCTIONS = frozenset("""
view view_as expand expand_as repeat reshape_as contiguous sum_to_size to type type_as
bool byte char short int long half float double
""".split())
NN_AT_TOP_LEVEL = frozenset("softmax log_softmax dropout threshold threshold_ celu celu_ selu selu_ hardshrink bilinear"
                            .split())

# Element-wise ops without an in-place form in PyTorch; the in-place forms of the other families.
NO_IN_PLACE = frozenset("""
equal allclose isclose isnan isinf isfinite isposinf isneginf signbit maximum minimum fmax fmin logaddexp logaddexp2
""".split())
IN_PLACE = frozenset("""
squeeze unsqueeze transpose swapaxes swapdims t masked_fill scatter scatter_add index_add index_copy index_fill
addmm tril triu cumsum cumprod
""".split())

# In-place arithmetic without a graph goes straight to NumPy (see ops/inplace.py `inplace`).
_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def _public_functions(module):
    """The functions a module defines (or makes with the row factories) under public names, not its imports."""
    here = module.__name__
    return {name: fn for name, fn in vars(module).items()
            if type(fn) is types.FunctionType and name[0] != "_" and (fn.__module__ == here or hasattr(fn, "node"))}


def _ops_of(family):
    """{name: function} of a family's ops (NOTE [Methods and in-place forms])."""
    functions = _public_functions(family)
    ops = {}
    for name, fn in functions.items():
        if name.startswith("torch_"):  # torch.det beside torch.linalg.det: the op is torch's
            ops[name[len("torch_"):]] = fn
        elif name not in HELPERS and name not in LINALG_ONLY and "torch_" + name not in functions:
            ops[name] = fn
    return ops


def top_level_functions():
    """{name: function} for dxdy's top level, derived from the families."""
    functions = {}
    for family in FAMILIES:
        functions.update((name, fn) for name, fn in _ops_of(family).items() if name not in NOT_FUNCTIONS)
    functions.update((name, fn) for name, fn in _ops_of(nn).items() if name in NN_AT_TOP_LEVEL)
    return functions


def _methods():
    """{name: (function, family)} for the methods derived from the families."""
    return {name: (fn, family) for family in FAMILIES for name, fn in _ops_of(family).items()
            if name not in NOT_METHODS}


def _in_place_form(name, fn, family):
    written = getattr(inplace, fn.__name__ + "_", None)  # an alias (less, fix) shares its op's form
    if written is not None:
        return written
    if family is shape:
        return inplace.inplace_view(fn, name + "_")
    return inplace.inplace(fn, name + "_", _UFUNCS.get(name))


def _bind():
    for name, (fn, family) in _methods().items():
        setattr(Tensor, name, fn)
        if (family is elementwise and name not in NO_IN_PLACE) or name in IN_PLACE:
            setattr(Tensor, name + "_", _in_place_form(name, fn, family))
    for name, fn in _public_functions(inplace).items():  # copy_, fill_, bernoulli_, ...
        if name.endswith("_"):
            setattr(Tensor, name, fn)

    # Methods whose signature is not the function's, and methods of functions outside the families.
    Tensor.bernoulli = creation.bernoulli
    Tensor.multinomial = creation.multinomial
    Tensor.softmax = lambda self, dim=None, dtype=None: nn.softmax(self, dim, dtype=dtype)
    Tensor.log_softmax = lambda self, dim=None, dtype=None: nn.log_softmax(self, dim, dtype=dtype)
    Tensor.hardshrink = nn.hardshrink
    Tensor.prelu = _prelu
    Tensor.where = lambda self, condition, other: elementwise.where(condition, self, other)
    Tensor.split = shape.split_method
    Tensor.T = property(shape._T)
    Tensor.mT = property(shape._mT)
    Tensor.H = property(shape._T)
    Tensor.mH = property(shape._mT)

    # Tensor's methods written outside tensor.py (NOTE [Where Tensor's methods come from]).
    Tensor.__new__ = staticmethod(creation.tensor_new)
    Tensor.__repr__ = Tensor.__str__ = printing.tensor_repr
    Tensor.backward = autograd.tensor_backward
    Tensor.retain_grad = graph.retain_grad
    Tensor.register_hook = graph.register_hook
    Tensor.register_post_accumulate_grad_hook = graph.register_post_accumulate_grad_hook

    # Operators. The hot ones point straight at the op, with no wrapper call.
    Tensor.__add__ = Tensor.__radd__ = _add
    Tensor.__sub__ = _sub
    Tensor.__rsub__ = _rsub
    Tensor.__mul__ = Tensor.__rmul__ = mul
    Tensor.__truediv__ = _div
    Tensor.__rtruediv__ = lambda self, other: reciprocal(self) * other
    Tensor.__floordiv__ = elementwise.floor_divide
    Tensor.__rfloordiv__ = lambda self, other: elementwise.floor_divide(other, self)
    Tensor.__mod__ = elementwise.remainder
    Tensor.__rmod__ = lambda self, other: elementwise.remainder(other, self)
    Tensor.__pow__ = elementwise.pow
    Tensor.__rpow__ = lambda self, other: elementwise.pow(other, self)
    Tensor.__matmul__ = linalg.matmul
    Tensor.__rmatmul__ = lambda self, other: linalg.matmul(other, self)
    Tensor.__neg__ = neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = elementwise.abs
    Tensor.__invert__ = lambda self: (elementwise.logical_not(self) if self._data.dtype == np.bool_
                                      else elementwise.bitwise_not(self))
    Tensor.__and__ = Tensor.__rand__ = elementwise.bitwise_and
    Tensor.__or__ = Tensor.__ror__ = elementwise.bitwise_or
    Tensor.__xor__ = Tensor.__rxor__ = elementwise.bitwise_xor
    Tensor.__eq__ = elementwise.eq
    Tensor.__ne__ = elementwise.ne
    Tensor.__lt__ = elementwise.lt
    Tensor.__le__ = elementwise.le
    Tensor.__gt__ = elementwise.gt
    Tensor.__ge__ = elementwise.ge
    Tensor.__getitem__ = index.getitem
    Tensor.__setitem__ = inplace.setitem
    for op_name, name in (("add", "iadd"), ("sub", "isub"), ("mul", "imul"), ("div", "itruediv"),
                          ("floor_divide", "ifloordiv"), ("remainder", "imod"), ("pow", "ipow"),
                          ("bitwise_and", "iand"), ("bitwise_or", "ior"), ("bitwise_xor", "ixor")):
        fn = getattr(elementwise, op_name)
        setattr(Tensor, f"__{name}__", inplace.inplace(fn, f"__{name}__", _UFUNCS.get(op_name)))


def _prelu(self, weight):
    from .nn_layers import prelu  # (loaded on first use: ops/nn_layers.py)
    return prelu(self, weight)


_bind()
