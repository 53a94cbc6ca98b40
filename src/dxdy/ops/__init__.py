"""dxdy's ops, by family, and their binding to Tensor as methods and operators.

The tables are in the family modules; this file decides which functions are
also Tensor methods (most of them: `x.exp()` is `dxdy.exp(x)`).
"""
import numpy as np

from ..tensor import Tensor
from . import elementwise, reduce, shape, index, linalg, nn, convert, inplace, sorting
from . import _tensor_ns  # noqa: F401  (fills tensor_ns)
from .elementwise import _add, _sub, _rsub, mul, _true_divide, _remainder, reciprocal, neg
from .inplace import inplace as _inplace

FAMILIES = (elementwise, reduce, shape, index, linalg, convert, sorting)

METHODS = """
add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow float_power neg reciprocal rsub
abs absolute sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square sin cos tan asin acos atan atan2
arctan2 sinh cosh tanh asinh acosh atanh sigmoid logit relu erf erfc floor ceil round trunc fix frac
clamp clip clamp_min clamp_max maximum minimum fmax fmin lerp nan_to_num
logaddexp logaddexp2 xlogy hypot copysign heaviside addcmul addcdiv dist
eq ne lt le gt ge not_equal less less_equal greater greater_equal equal isclose allclose
logical_and logical_or logical_xor logical_not isnan isinf isfinite isposinf isneginf signbit
bitwise_and bitwise_or bitwise_xor bitwise_not
sum nansum mean prod max min amax amin aminmax argmax argmin var std norm logsumexp cumsum cumprod all any
count_nonzero
reshape view view_as reshape_as flatten ravel unflatten squeeze unsqueeze expand expand_as broadcast_to repeat tile
repeat_interleave transpose swapaxes swapdims t permute movedim moveaxis flip fliplr flipud roll tensor_split
chunk unbind narrow select
gather scatter scatter_add index_select take take_along_dim masked_fill masked_select nonzero argwhere
dot vdot mv mm bmm matmul addmm outer ger inner trace diagonal diag diag_embed tril triu det
clone contiguous to float double half long int short char byte bool type type_as sum_to_size
sort argsort msort topk kthvalue median
cummax cummin logcumsumexp deg2rad rad2deg diagflat diff kron lgamma digamma erfinv sinc nanmean index_add
index_copy index_fill bincount unique unique_consecutive rot90 logdet slogdet
""".split()
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
           "arctanh": "atanh", "negative": "neg"}
INPLACE = """
add sub mul div true_divide floor_divide remainder fmod pow neg reciprocal abs sign exp exp2 expm1 log log2 log10
log1p sqrt rsqrt square sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh sigmoid logit relu erf
erfc floor ceil round trunc frac clamp clip clamp_min clamp_max lerp nan_to_num masked_fill scatter scatter_add
tril triu t transpose xlogy hypot copysign heaviside addcmul addcdiv addmm
deg2rad rad2deg lgamma digamma erfinv sinc index_add index_copy index_fill
""".split()


# In-place arithmetic without a graph goes straight to NumPy (see ops/inplace.py `inplace`).
_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def _find(name):
    for family in FAMILIES:
        fn = getattr(family, name, None)
        if fn is not None:
            return fn
    raise AttributeError(name)


def _bind():
    for name in METHODS:
        setattr(Tensor, name, _find(name))
    for alias, name in ALIASES.items():
        setattr(Tensor, alias, _find(name))
    for name in INPLACE:
        setattr(Tensor, name + "_", _inplace(_find(name), name + "_", _UFUNCS.get(name)))
    for name in ("copy_", "fill_", "zero_"):
        setattr(Tensor, name, getattr(inplace, name))
    Tensor.softmax = lambda self, dim=None, dtype=None: nn.softmax(self, dim, dtype=dtype)
    Tensor.log_softmax = lambda self, dim=None, dtype=None: nn.log_softmax(self, dim, dtype=dtype)
    Tensor.where = lambda self, condition, other: elementwise.where(condition, self, other)
    Tensor.inverse = lambda self: linalg.inv(self)
    Tensor.cross = linalg.torch_cross
    Tensor.hardshrink = lambda self, lambd=0.5: nn.hardshrink(self, lambd)
    Tensor.split = shape.split_method
    Tensor.T = property(shape._T)
    Tensor.mT = property(shape._mT)
    Tensor.H = property(shape._T)
    Tensor.mH = property(shape._mT)

    # Operators. The hot ones point straight at the op, with no wrapper call.
    Tensor.__add__ = Tensor.__radd__ = _add
    Tensor.__sub__ = _sub
    Tensor.__rsub__ = _rsub
    Tensor.__mul__ = Tensor.__rmul__ = mul
    Tensor.__truediv__ = _true_divide
    Tensor.__rtruediv__ = lambda self, other: reciprocal(self) * other
    Tensor.__floordiv__ = elementwise.floor_divide
    Tensor.__rfloordiv__ = lambda self, other: elementwise.floor_divide(other, self)
    Tensor.__mod__ = _remainder
    Tensor.__rmod__ = lambda self, other: _remainder(other, self)
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
        setattr(Tensor, f"__{name}__", _inplace(_find(op_name), f"__{name}__", _UFUNCS.get(op_name)))


_bind()
