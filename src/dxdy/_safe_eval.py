"""The command line's expressions: Python's syntax, evaluated over a closed world.

`evaluate(text, variables)` parses `text` with `ast` and walks the tree itself;
nothing is compiled or handed to `eval`. An expression may use

- names: the declared `variables` (the command line declares `x`), `torch` and
  `dxdy` (both dxdy), `float`, `int` and `bool` (PyTorch takes them as dtypes),
  and names it binds itself with `:=`, as in `((e := x.exp()) * e).sum()`;
- attributes, public API only, never a name that starts with `_`:
  the names in `dxdy.__all__`, and the public names defined by dxdy's public
  submodules (`torch.nn.functional.relu`, `torch.linalg.norm`,
  `torch.autograd.grad`), but no module or function a module imported from
  elsewhere (`torch.ops`, `torch.autograd.np`); the public methods and
  properties of tensors (`x.sum`, `x.T`, `x.shape`) and of dxdy's other values
  (`x.dtype.is_floating_point`, `x.shape.numel`, `torch.max(x, 0).values`);
  of a grad_fn, PyTorch's public Node API (`name`, `next_functions`,
  `metadata`, `register_hook`, `register_prehook`, and `variable`);
- calls with positional and keyword arguments (no `*args` or `**kwargs`), but
  not of the functions that touch files or change the process's settings
  (`save`, `load`, `manual_seed`, `set_default_dtype`, ...: SIDE_EFFECTS);
- operators: arithmetic and bitwise (`+ - * / // % ** @ << >> & | ^ ~`),
  comparisons, `and`, `or` and `not`;
- subscripts and slices (`x[0]`, `x[:, None]`, `x[..., 1:]`), tuples and lists;
- literals: numbers, True, False, None, `...` and strings (einsum's equation,
  `reduction="sum"`). Strings take no operator but comparisons, so `%`
  formatting cannot build a huge string.

A value that can be called must be dxdy's own (one of its functions, classes or
objects' methods) or one of `float`, `int` and `bool`; a module must be one of
the public ones. Everything else — lambdas, comprehensions, f-strings,
conditional expressions, dicts, sets, `*` unpacking — is refused.

Limits, checked as the walk goes:
- the text has at most MAX_LENGTH characters, its syntax tree at most MAX_DEPTH
  levels;
- every Python int the expression writes or computes lies within ±2**63; `**`
  and `<<` on ints are checked before they run, so `10**10**10` never starts;
- every value it makes (by a literal, operator, call, attribute or subscript)
  has at most MAX_ELEMENTS elements: a tensor or array its numel, a list, tuple
  or string its length, counting into nested lists and tuples. Repeating a list
  or tuple (`[0] * n`) is checked before it runs; what dxdy computes is checked
  when it returns;
- on Linux, the evaluation runs with the process's address space limited to
  what it already uses plus MEMORY, so a call that would allocate more
  (`torch.ones(10**10)`, `x.repeat(10**5, 10**5)`) fails at once with
  MemoryError instead of running. Elsewhere there is no such limit.
Time is not limited.

A breach raises NotAllowed, whose message is one line naming what is not
allowed; an error raised by dxdy itself propagates as it is.
"""
import ast
import contextlib
import operator
import os
import types

import numpy as np

import dxdy
from dxdy.graph import AccumulateGrad, Node

try:
    import resource
except ImportError:  # Windows
    resource = None

MAX_LENGTH = 1000
MAX_DEPTH = 100
MAX_INT = 2 ** 63
MAX_ELEMENTS = 10 ** 7
# OpenBLAS allocates a buffer per thread on its first use and ends the process if
# it cannot: leave room for those on top of the expression's own 2 GiB.
MEMORY = 2 * 2 ** 30 + 64 * 2 ** 20 * (os.cpu_count() or 1)

TYPE_NAMES = {"float": float, "int": int, "bool": bool}
# An expression computes: it does not touch files or change the process's settings (a caller of
# evaluate() keeps running after it), whatever dxdy's namespace offers now or later.
SIDE_EFFECTS = frozenset({"save", "load", "manual_seed", "seed", "initial_seed", "set_rng_state", "get_rng_state",
                          "fork_rng", "use_deterministic_algorithms", "set_num_threads", "set_default_dtype",
                          "set_default_tensor_type", "set_printoptions", "set_grad_enabled",
                          "set_detect_anomaly", "set_anomaly_enabled"})
GRAPH_NODE_NAMES = frozenset({"name", "next_functions", "metadata", "register_hook", "register_prehook",
                              "variable"})


class NotAllowed(ValueError):
    """The expression reaches outside what an expression may use; the message is one line."""


def evaluate(text, variables):
    """The value of the expression `text`, where `variables` (name -> value) are in scope.

    >>> evaluate("(x ** 2).sum()", {"x": dxdy.tensor([1.0, 2.0])})
    tensor(5.)
    >>> evaluate("x.__class__", {"x": dxdy.tensor(1.0)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    dxdy._safe_eval.NotAllowed: attribute '__class__' is not allowed: names that start with an underscore ...
    """
    if len(text) > MAX_LENGTH:
        raise NotAllowed(f"the expression has {len(text)} characters; at most {MAX_LENGTH} are allowed")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise NotAllowed(f"{text!r} is not an expression: {getattr(e, 'msg', e)}") from None
    if _depth(tree) > MAX_DEPTH:
        raise NotAllowed(f"the expression nests more than {MAX_DEPTH} levels deep")
    walker = _Evaluator({"torch": dxdy, "dxdy": dxdy, **TYPE_NAMES, **variables})
    try:
        with memory_cap():
            return walker.eval(tree.body)
    except MemoryError:
        raise NotAllowed(f"the expression needs more memory than the {MEMORY / 2 ** 30:.1f} GiB "
                         "an expression may use") from None


@contextlib.contextmanager
def memory_cap(extra=MEMORY):
    """Within the block, the process may map at most `extra` more bytes than it does now (Linux only)."""
    old = None
    try:
        with open("/proc/self/statm") as f:
            in_use = int(f.read().split()[0]) * resource.getpagesize()
        old = resource.getrlimit(resource.RLIMIT_AS)
        cap = in_use + extra if old[0] == resource.RLIM_INFINITY else min(in_use + extra, old[0])
        resource.setrlimit(resource.RLIMIT_AS, (cap, old[1]))
    except (AttributeError, OSError, ValueError):  # no resource module, no /proc, or not permitted
        old = None
    try:
        yield
    finally:
        if old is not None:
            resource.setrlimit(resource.RLIMIT_AS, old)


def _depth(tree):
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


# ── what may be reached ──────────────────────────────────────────────────────

def _origin(value):
    """The name of the package that defined `value` (a bound method counts as its object's)."""
    if isinstance(value, (types.MethodType, types.BuiltinMethodType)) and not isinstance(
            getattr(value, "__self__", None), types.ModuleType):
        value = value.__self__
    if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
        module = value.__module__
    else:
        module = type(value).__module__
    return (module or "").partition(".")[0]


def _public_modules():
    """{module: the names an expression may take from it}, for dxdy and its public submodules."""
    public = {}
    todo = [(dxdy, set(dxdy.__all__))]
    while todo:
        module, names = todo.pop()
        public[module] = allowed = set()
        for name in names:
            value = vars(module).get(name)
            if name.startswith("_"):
                continue
            if isinstance(value, types.ModuleType):
                if value.__name__ == f"{module.__name__}.{name}" and value not in public:  # not an import
                    allowed.add(name)
                    todo.append((value, {n for n in dir(value) if not n.startswith("_")}))
            elif value is None or _origin(value) == "dxdy" or isinstance(value, (int, float, str)):
                allowed.add(name)  # None: served by the module's __getattr__ (dxdy's lazy names)
    return public


_MODULES = _public_modules()
_TENSOR_NAMES = frozenset(n for n in dir(dxdy.Tensor) if not n.startswith("_"))


def _attribute_allowed(obj, name):
    if isinstance(obj, types.ModuleType):
        return name in _MODULES.get(obj, ())
    cls = obj if isinstance(obj, type) else type(obj)
    if issubclass(cls, dxdy.Tensor):
        return name in _TENSOR_NAMES
    if issubclass(cls, (Node, AccumulateGrad)):
        return name in GRAPH_NODE_NAMES
    return _origin(cls) == "dxdy" and name in dir(obj)


def _check_reachable(value, node):
    if isinstance(value, types.ModuleType):
        if value not in _MODULES:
            raise NotAllowed(f"{ast.unparse(node)} is the module {value.__name__}, which is not public dxdy")
    elif callable(value) and _origin(value) != "dxdy" and not any(value is t for t in TYPE_NAMES.values()):
        raise NotAllowed(f"{ast.unparse(node)} is {_kind(value)}: an expression may call only dxdy's own "
                         "functions")


def _kind(value):
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{type(value).__name__} {name!r} from {_origin(value) or '?'}"


# ── sizes ────────────────────────────────────────────────────────────────────

def _elements(value, limit=MAX_ELEMENTS):
    """How many elements `value` holds, counting into lists and tuples (stops counting past `limit`)."""
    if isinstance(value, dxdy.Tensor):
        return value.numel()
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, (str, dict)):
        return len(value)
    if isinstance(value, (list, tuple)):
        total = len(value)
        for item in value:
            if total > limit:
                break
            if isinstance(item, (dxdy.Tensor, np.ndarray, str, dict, list, tuple)):
                total += _elements(item, limit - total) - 1
        return total
    return 1


def _check_size(value, node):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise NotAllowed(f"{ast.unparse(node)} is an integer of {value.bit_length()} bits; "
                         "integers must lie within ±2**63")
    n = _elements(value)
    if n > MAX_ELEMENTS:
        raise NotAllowed(f"{ast.unparse(node)} has {n:,} elements or more; a value may have at most "
                         f"{MAX_ELEMENTS:,}")


def _check_before(node, a, b):
    """Refuse, before it runs, Python arithmetic that would make a huge int, list or string."""
    op = node.op
    if isinstance(a, str) or isinstance(b, str):
        raise NotAllowed(f"{ast.unparse(node)}: strings take no arithmetic in an expression")
    ints = isinstance(a, int) and isinstance(b, int)
    if ints and ((isinstance(op, ast.Pow) and abs(a) > 1 and b > 0 and (abs(a).bit_length() - 1) * b > 63)
                 or (isinstance(op, ast.LShift) and a != 0 and b > 64)):
        raise NotAllowed(f"{ast.unparse(node)} is larger than 2**63; integers must lie within ±2**63")
    if isinstance(op, ast.Mult):
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, (list, tuple)) and isinstance(n, int) and _elements(seq) * n > MAX_ELEMENTS:
                raise NotAllowed(f"{ast.unparse(node)} would have more than {MAX_ELEMENTS:,} elements; "
                                 f"a value may have at most {MAX_ELEMENTS:,}")


# ── the walk ─────────────────────────────────────────────────────────────────

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitAnd: operator.and_,
           ast.BitOr: operator.or_, ast.BitXor: operator.xor}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_, ast.Invert: operator.invert}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
_REFUSED = {"Lambda": "lambda", "IfExp": "a conditional expression (a if c else b)", "Dict": "a dict",
            "Set": "a set", "ListComp": "a list comprehension", "SetComp": "a set comprehension",
            "DictComp": "a dict comprehension", "GeneratorExp": "a generator expression",
            "JoinedStr": "an f-string", "FormattedValue": "an f-string", "Starred": "unpacking with *",
            "Await": "await", "Yield": "yield", "YieldFrom": "yield"}


class _Evaluator:
    def __init__(self, names):
        self.given = frozenset(names)  # names that := may not rebind
        self.names = dict(names)

    def eval(self, node):
        method = getattr(self, "eval_" + type(node).__name__, None)
        if method is None:
            what = _REFUSED.get(type(node).__name__, f"{type(node).__name__} syntax")
            raise NotAllowed(f"{what} is not allowed in an expression")
        value = method(node)
        _check_reachable(value, node)
        _check_size(value, node)
        return value

    def eval_Constant(self, node):
        if isinstance(node.value, bytes):
            raise NotAllowed("bytes literals are not allowed in an expression")
        return node.value

    def eval_Name(self, node):
        if node.id not in self.names:
            raise NotAllowed(f"NameError: name {node.id!r} is not defined; an expression may use "
                             f"{', '.join(sorted(self.names))}")
        return self.names[node.id]

    def eval_NamedExpr(self, node):
        name = node.target.id
        if name in self.given or name.startswith("_"):
            raise NotAllowed(f"({name} := ...) is not allowed: := may bind only new names, not starting with '_'")
        self.names[name] = value = self.eval(node.value)
        return value

    def eval_Attribute(self, node):
        obj, name = self.eval(node.value), node.attr
        if name.startswith("_"):
            raise NotAllowed(f"attribute {name!r} is not allowed: names that start with an underscore "
                             "(single or double underscores) are private")
        if name in SIDE_EFFECTS and isinstance(obj, types.ModuleType):
            raise NotAllowed(f"{ast.unparse(node)} is not allowed: an expression may not touch files or change "
                             "the process's settings")
        if not _attribute_allowed(obj, name):
            owner = obj.__name__ if isinstance(obj, types.ModuleType) else f"a {type(obj).__name__}"
            raise NotAllowed(f"{ast.unparse(node)} is not allowed: {name!r} is not public API of {owner}")
        return getattr(obj, name)

    def eval_Call(self, node):
        func = self.eval(node.func)
        if any(k.arg is None for k in node.keywords):
            raise NotAllowed("unpacking with ** is not allowed in an expression")
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        return func(*args, **kwargs)

    def eval_BinOp(self, node):
        a, b = self.eval(node.left), self.eval(node.right)
        _check_before(node, a, b)
        return _BINARY[type(node.op)](a, b)

    def eval_UnaryOp(self, node):
        return _UNARY[type(node.op)](self.eval(node.operand))

    def eval_BoolOp(self, node):
        value = None
        for operand in node.values:
            value = self.eval(operand)
            if bool(value) == isinstance(node.op, ast.Or):  # `or` stops at a true value, `and` at a false one
                break
        return value

    def eval_Compare(self, node):
        left, result = self.eval(node.left), True
        for op, right_node in zip(node.ops, node.comparators):
            if not result:  # a < b < c stops at the first false comparison, as in Python
                break
            right = self.eval(right_node)
            result, left = _COMPARE[type(op)](left, right), right
        return result

    def eval_Subscript(self, node):
        return self.eval(node.value)[self.eval(node.slice)]

    def eval_Slice(self, node):
        return slice(*(None if part is None else self.eval(part) for part in (node.lower, node.upper, node.step)))

    def eval_Tuple(self, node):
        return tuple(self.eval(e) for e in node.elts)

    def eval_List(self, node):
        return [self.eval(e) for e in node.elts]
