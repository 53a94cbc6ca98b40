"""dtypes, the default dtype, and PyTorch's type promotion.

A dxdy dtype names a NumPy dtype the way PyTorch names its own: `dxdy.float32`
prints as `dxdy.float32`, and `dtype=float` means float64 as in PyTorch.
"""
import builtins

import numpy as np

_CATEGORY_BOOL, _CATEGORY_INT, _CATEGORY_FLOAT = 0, 1, 2


class dtype:
    """A tensor element type (`dxdy.float32`, `dxdy.int64`, ...)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "is_complex", "category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _CATEGORY_FLOAT
        self.is_complex = False
        self.is_signed = self.np.kind in "if"

    def __repr__(self):
        return f"dxdy.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return self

    @property
    def type_name(self):
        """PyTorch's name of the scalar type, as its error messages spell it ('Float', 'Long', 'Bool')."""
        return _NAMES[self.name][0]

    @property
    def cpp_name(self):
        """The C++ spelling of the type that some PyTorch messages print ('float', 'long int', 'c10::Half')."""
        return _NAMES[self.name][1]

    @property
    def is_floating(self):
        return self.is_floating_point


bool = dtype("bool", np.bool_, _CATEGORY_BOOL)
uint8 = dtype("uint8", np.uint8, _CATEGORY_INT)
int8 = dtype("int8", np.int8, _CATEGORY_INT)
int16 = dtype("int16", np.int16, _CATEGORY_INT)
int32 = dtype("int32", np.int32, _CATEGORY_INT)
int64 = dtype("int64", np.int64, _CATEGORY_INT)
float16 = dtype("float16", np.float16, _CATEGORY_FLOAT)
float32 = dtype("float32", np.float32, _CATEGORY_FLOAT)
float64 = dtype("float64", np.float64, _CATEGORY_FLOAT)

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
FLOATING = (float16, float32, float64)
# PyTorch's aliases: torch.float is float32, torch.double float64, and so on.
ALIASES = {
    "half": float16, "float": float32, "double": float64,
    "short": int16, "int": int32, "long": int64,
}

# The one table of the names PyTorch's messages give each dtype: its scalar type ("Float", which with "Tensor"
# appended is the legacy type, FloatTensor) and its C++ spelling.
_NAMES = {
    "bool": ("Bool", "bool"), "uint8": ("Byte", "unsigned char"), "int8": ("Char", "signed char"),
    "int16": ("Short", "short int"), "int32": ("Int", "int"), "int64": ("Long", "long int"),
    "float16": ("Half", "c10::Half"), "float32": ("Float", "float"), "float64": ("Double", "double"),
}
_FROM_NUMPY = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _by_name(name):
    return _BY_NAME[name]


def legacy_type_name(d):
    """PyTorch's legacy tensor type of a dxdy or NumPy dtype, bare: 'FloatTensor' ('Tensor' for one dxdy lacks)."""
    names = _NAMES.get(d.name) if d.__class__ is dtype else _NAMES.get(str(d))
    return "Tensor" if names is None else names[0] + "Tensor"


def from_legacy_type_name(name):
    """The dtype of a legacy tensor type name ('FloatTensor'); None for any other name."""
    for key, names in _NAMES.items():
        if names[0] + "Tensor" == name:
            return _BY_NAME[key]
    return None


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class written in Python


def type_name(obj):
    """The type of `obj` as PyTorch's messages name it (C's tp_name): 'float', 'Obj', 'decimal.Decimal'."""
    t = builtins.type(obj)
    if t.__flags__ & _HEAPTYPE or t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def from_numpy(np_dtype):
    """The dxdy dtype of a NumPy dtype; TypeError for dtypes dxdy does not hold."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
                        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


class _DefaultDtype:
    value = float32


_default = _DefaultDtype()


def get_default_dtype():
    """The dtype of floating tensors made from Python floats (float32 unless set)."""
    return _default.value


def set_default_dtype(d):
    """Set the default floating dtype; only float32 and float64 (and float16) are allowed, as in PyTorch."""
    if d.__class__ is not dtype or not d.is_floating_point:  # not even Python's float, as in PyTorch
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    _default.value = d


def to_dtype(d):
    """Normalise a dtype argument: a dxdy dtype, a NumPy dtype, or Python's float, int, bool."""
    if d.__class__ is dtype:
        return d
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if isinstance(d, (np.dtype, builtins.type)) and not isinstance(d, dtype):
        try:
            return _FROM_NUMPY[np.dtype(d)]
        except (KeyError, TypeError):
            pass
    raise TypeError(f"dtype must be a dxdy.dtype (got {type(d).__name__})")


def promote_types(type1, type2):
    """The smallest dtype both type1 and type2 can be cast to, by PyTorch's table.

    It matches NumPy's except that a floating type always wins over an integer one
    (int64 with float16 gives float16, where NumPy gives float64).
    """
    a, b = to_dtype(type1), to_dtype(type2)
    if a is b:
        return a
    if a.category != b.category and _CATEGORY_FLOAT in (a.category, b.category):
        return a if a.is_floating_point else b
    return _FROM_NUMPY[np.promote_types(a.np, b.np)]


def _combine_categories(higher, lower):
    # The rule of PyTorch's ResultTypeState: a lower-priority participant changes the
    # result only when it is of a higher category (a float scalar with an int tensor).
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python scalar takes when it meets a tensor (a 'wrapped number')."""
    if value.__class__ is builtins.float:  # (the common cases, checked first)
        return _default.value
    if value.__class__ is builtins.int:
        return int64
    if isinstance(value, builtins.bool) or isinstance(value, np.bool_):
        return bool
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    if isinstance(value, (builtins.float, np.floating)):
        return _default.value
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type_of(dims, zero_dims, scalars):
    """PyTorch's result type: tensors with dims > 0-dim tensors > Python scalars, by category."""
    state = [None, None, None]
    for i, group in enumerate((dims, zero_dims, scalars)):
        for d in group:
            state[i] = d if state[i] is None else promote_types(state[i], d)
    return _combine_categories(state[0], _combine_categories(state[1], state[2]))


def _g(v):
    return f"{v:g}" if abs(v) >= 1e7 else str(v)


class finfo:
    """The numerical limits of a floating dtype (the default dtype when none is given), as torch.finfo."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError("dxdy.finfo() requires a floating point input type. Use dxdy.iinfo to handle "
                            "'dxdy.finfo'")
        info = np.finfo(d.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(10.0 ** -int(info.precision))
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype, as torch.iinfo."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.name == "bool":
            raise TypeError("dxdy.bool is not supported by dxdy.iinfo")
        if d.category != _CATEGORY_INT:
            raise TypeError("dxdy.iinfo() requires an integer input type. Use dxdy.finfo to handle 'dxdy.iinfo'")
        info = np.iinfo(d.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"
