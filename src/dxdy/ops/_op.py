"""The op record: an op's forward and its derivative rules, stated once, and the call paths.

NOTE [Rule signatures]
A rule is a function of the array namespace `xp`, the cotangent `g` (a VJP) or
the tangent `t` (a JVP), and then named values; the names say what the op must
save for backward, and it saves exactly that:

    x, y, ...      the op's array inputs, by the forward's positional parameter names
    out            the result (a tuple of results for ops with several outputs)
    x_shape, ...   the shape of an input, saved instead of the input itself
    dim, ...       any keyword-only parameter of the forward

All rules of one op take the same names. In a plain backward pass `xp` is the
array namespace (dxdy.ops._xp.numpy_ns) and the values are arrays; under
create_graph=True, `xp` is dxdy.ops._xp.tensor_ns and the values are tensors, so
the rule records a graph of its own and derivatives of any order come free.
A rule may return None for a zero gradient.

The engine, not the rules, sums a gradient back to a broadcast input's shape and
casts it to the input's dtype: ops that broadcast say so with `broadcasts=True`.
"""
import sys
import warnings

import numpy as np

from .. import dtypes as _dt
from ..graph import Node, SECOND_BACKWARD
from ..mode import state as _mode, anomaly as _anomaly, watch as _watch
from ..tensor import Tensor, wrap, version_counter, register_view, bump_version, EPOCH, allocation_error
from ..tensor import TensorExtras
from ..saved_tensors import PACKED
from ._xp import numpy_ns, REFCOUNTS as _REFCOUNTS

_new = object.__new__
_int, _float, _bool = int, float, bool
_SCALARS = (_int, _float, _bool, np.number, np.bool_)


# -- node classes ----------------------------------------------------------------

def _names(fn):
    code = fn.__code__
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


class VariadicNode(Node):
    """A node whose op makes as many outputs as its arguments ask for (split, unbind)."""

    __slots__ = ("n_outputs",)


def node_class(name, rules, inputs, params=(), n_outputs=1, broadcasts=False, jvp=None, linear=False,
               view=False, saves_index=False, multilinear=False):
    """A Node subclass for one op: its rules and the plan of what to save.

    `rules` holds one VJP per input (None where an input is not differentiable);
    each is `rule(xp, g, *saved)`. `inputs` names the forward's array inputs; for
    an op of any number of inputs (cat, stack), `rules` is a single rule that
    returns the gradients of all of them.
    """
    variadic_inputs = callable(rules)
    live = [rules] if variadic_inputs else [r for r in rules if r is not None]
    saves = _names(live[0])[2:] if live else ()
    for r in live:
        if _names(r)[2:] != saves:
            raise TypeError(f"{name}: all rules of one op must take the same names, "
                            f"got {saves} and {_names(r)[2:]}")
    plan = []
    for s in saves:
        if s == "xs" and inputs == ("*",):
            plan.append(("inputs", None))
        elif s in inputs:
            plan.append(("input", inputs.index(s)))
        elif s == "out":
            plan.append(("out", None))
        elif s.endswith("_shape") and s[:-6] in inputs:
            plan.append(("shape", inputs.index(s[:-6])))
        elif s.endswith("_dtype") and s[:-6] in inputs:
            plan.append(("dtype", inputs.index(s[:-6])))
        elif s in params:
            plan.append(("param", s))
        else:
            raise TypeError(f"{name}: a rule asks for '{s}', which is neither an input, 'out', "
                            f"an input's shape or dtype, nor a parameter of the forward")
    attrs = {
        "__slots__": (), "rules": None if variadic_inputs else tuple(rules),
        "rule_all": staticmethod(rules) if variadic_inputs else None, "saves": saves, "plan": tuple(plan),
        "inputs": tuple(inputs), "broadcasts": broadcasts, "jvp": staticmethod(jvp) if jvp else None,
        "linear": linear, "view": view, "multilinear": multilinear,
        # Freeing after backward concerns saved arrays only; shapes and parameters stay, except an index or
        # mask parameter (`saves_index`), which PyTorch saves as a tensor and frees with the rest.
        "frees": saves_index or any(kind in ("input", "out", "inputs") for kind, _ in plan),
    }
    if n_outputs is not None:
        attrs["n_outputs"] = n_outputs
    attrs["single"] = n_outputs == 1  # one result, not a tuple
    if name in ("CopySlices", "CopyBackwards", "NotImplemented"):
        attrs["namespace"] = "dxdy::autograd::"
    return type(name, (VariadicNode if n_outputs is None else Node,), attrs)


# -- saving for backward ----------------------------------------------------------
#
# NOTE [Saved tensors]
# node.saved    the values the rules get, raw (arrays, shapes, parameters); None
#               once backward has freed them
# node.tensors  aligned with saved: the saved input Tensor; or, for the result,
#               the version counter (a list) that the output tensor shares (the
#               node must not hold its own output: that would be a cycle); a tuple
#               of these for several inputs or outputs; None for non-tensors
# node.versions aligned: the version each had when saved (NOTE [Version counter])

def _version(t):
    vc = t._vc
    return 0 if vc is None else vc[0]


def _save(node, plan, args, arrays, results, params):
    """Fill `node.saved`, `node.tensors` and `node.versions` by the class's plan.

    `arrays` are the inputs as the forward saw them (after any dtype promotion).
    """
    saved, tensors = [], []
    versions = None  # stays None while every saved tensor is at version 0 (most ops)
    i = 0
    for kind, key in plan:  # (the kinds by how often they occur)
        src = version = None
        if kind == "input":
            v = args[key]
            saved.append(arrays[key])
            if isinstance(v, Tensor):
                src = v
                vc = v._vc
                version = None if vc is None else vc[0]
        elif kind == "param":
            saved.append(params[key])
        elif kind == "shape":
            a = arrays[key]
            saved.append(a.shape if a.__class__ is np.ndarray else np.shape(a))
        elif kind == "out":
            if len(results) == 1:
                saved.append(results[0]._data)
                src = results[0]._vc = [0]
            else:
                saved.append(tuple(r._data for r in results))
                src = tuple(version_counter(r) for r in results)
                version = (0,) * len(results)
        elif kind == "inputs":
            saved.append(tuple(arrays))
            src = tuple(args)
            version = tuple(_version(a) if isinstance(a, Tensor) else 0 for a in args)
        else:  # "dtype"
            saved.append(arrays[key].dtype)
        tensors.append(src)
        if version:
            if versions is None:
                versions = [0] * len(plan)
            versions[i] = version
        i += 1
    node.saved = tuple(saved)
    node.tensors = tuple(tensors)
    node.versions = None if versions is None else tuple(versions)
    node.epoch = EPOCH[0]


def check_versions(node):
    """Refuse to run rules on saved tensors that were modified in place since."""
    versions = node.versions or (0,) * len(node.tensors)  # None: all were at version 0
    for i, (src, expected) in enumerate(zip(node.tensors, versions)):
        if src is None:
            continue
        if src.__class__ is tuple:
            for k, (s, e) in enumerate(zip(src, expected)):
                if s is not None and not isinstance(s, (int, float)) and _current(s) != e and _needed(node, i, k):
                    raise RuntimeError(_modified_message(node, i, s, k, _current(s), e))
        elif _current(src) != expected and _needed(node, i):
            raise RuntimeError(_modified_message(node, i, src, 0, _current(src), expected))


# NOTE [Unused saved tensors]
# A node saves every tensor its rules name, but PyTorch saves x for `x * c` only when c
# requires grad: changing x in place afterwards is then no error. So before refusing a
# changed tensor, check that a rule that will run (for an input that has an edge) reads
# it; the rules' bytecode says which names each one reads. Only this rare path pays.
# A rule that asks for a tensor only because PyTorch's node saves it says so with keep().

def keep(value, *saved):
    """`value`, from a rule that asks for `saved` without reading them: PyTorch's node saves
    them, so changing one in place must still make backward fail."""
    return value


def _needed(node, i, k=None):
    """Whether saved tensor i (operand k of a `*xs` input) is read by a rule that will run."""
    cls = type(node)
    if cls.rules is None:
        # A multilinear op's operand k is read only for the other operands' gradients.
        return k is None or not getattr(cls, "multilinear", False) or \
            any(e is not None for j, e in enumerate(node.next) if j != k)
    name = cls.saves[i]
    return any(rule is not None and edge is not None and _may_read(rule, name)
               for rule, edge in zip(cls.rules, node.next))


_READS = {}


def _may_read(rule, name):
    """Whether `rule` may read its parameter `name`: no only when its own code provably does not."""
    reads = _READS.get(rule)
    if reads is None:
        code = getattr(rule, "__code__", None)
        if code is None or code.co_flags & 0x0C:  # not Python code, or *args / **kwargs
            reads = _READS[rule] = True
        else:
            import dis
            names = set(code.co_cellvars) | set(code.co_freevars)  # used by an inner function
            for ins in dis.get_instructions(code):
                arg = ins.argval
                if not ins.opname.startswith("STORE") and isinstance(arg, (str, tuple)):
                    names.update(arg if isinstance(arg, tuple) else (arg,))
            reads = _READS[rule] = (frozenset(names), frozenset(_names(rule)))
    return reads is True or name not in reads[1] or name in reads[0]


def _current(src):
    vc = src if src.__class__ is list else src._vc
    return 0 if vc is None else vc[0]


def saved_values(node, create):
    """The values the rules receive: arrays, or tensors under create_graph."""
    saved = node.saved
    if saved is None:
        raise RuntimeError(SECOND_BACKWARD)
    if node.tensors and node.epoch != EPOCH[0]:
        if node.epoch == PACKED:  # NOTE [Saved tensor hooks]
            from ..saved_tensors import unpack_values
            return unpack_values(node, create)
        check_versions(node)
    if not create:
        return saved
    vals = list(saved)
    for i, src in enumerate(node.tensors):
        if src is None:
            continue
        if src.__class__ is list:
            vals[i] = _output_again(node, saved[i], src, 0)
        elif src.__class__ is tuple and src and src[0].__class__ is list:
            vals[i] = tuple(_output_again(node, a, vc, k) for k, (a, vc) in enumerate(zip(saved[i], src)))
        else:
            vals[i] = src
    return vals


def _output_again(node, a, vc, k):
    """A saved result as a tensor of the graph again, for differentiating a rule that uses it."""
    t = wrap(a, node)
    t._nr = k
    t._vc = vc
    return t


def _modified_message(node, i, src, k, now, expected):
    if src.__class__ is list:  # a saved result
        a = node.saved[i] if node.saved is not None and node.n_outputs == 1 else None
        what = f"[{_type_name(a)} {list(a.shape)}]" if a is not None else "a saved result"
        which = f", which is output {k} of {_forward_name(node)},"
    else:
        if src._extra is not None and src._extra.cast_of is not None:
            src = src._extra.cast_of
        a = src._data
        what = f"[{_type_name(a)} {list(a.shape)}]"
        which = f", which is output {src._nr} of {_forward_name(src.grad_fn)}," if src.grad_fn is not None else ""
    return (f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {what}{which} is at version {now}; expected version {expected} instead. Hint: "
            f"enable anomaly detection to find the operation that failed to compute its gradient, with "
            f"dxdy.autograd.set_detect_anomaly(True, check_nan=False).\n"
            f"To fix: {node.name()} saved this tensor at version {expected} to compute its gradient, and an "
            f"in-place op (add_, mul_, x[i] = ..., x += ...) changed it {now - expected} time(s) since. "
            f"Change a copy instead (x = x.clone() before the in-place op), or use the out-of-place form "
            f"(x = x + 1).")


def _forward_name(node):
    # PyTorch names the op here, not its node: "output 0 of Exp" for ExpBackward0, "of Max1" for MaxBackward1.
    name = node.name().rsplit("::", 1)[-1]
    return name[:-len("Backward0")] if name.endswith("Backward0") else name.replace("Backward", "")


def _type_name(a):
    return "dxdy." + _dt.legacy_type_name(a.dtype)


def saved_attribute(node, name, raw=False):
    """`grad_fn._saved_<name>` with PyTorch's names: self, other, result, self_sym_sizes, parameters.

    With `raw`, `grad_fn._raw_saved_<name>`: the SavedTensor record (dxdy/saved_tensors.py)."""
    names = {"self": "x", "other": "y", "result": "out"}
    names.update({v: k for k, v in getattr(node, "torch_names", {}).items()})
    base, suffix = (name[:-len("_sym_sizes")], "_shape") if name.endswith("_sym_sizes") else (name, "")
    ours = names.get(base, base) + suffix
    if ours not in node.saves:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{'_raw' if raw else ''}_saved_{name}'")
    i = node.saves.index(ours)
    if raw or node.epoch == PACKED:  # NOTE [Saved tensor hooks]
        from ..saved_tensors import raw_saved, unpack_one
        if raw:
            return raw_saved(node, i, name)
        v = unpack_one(node, i)  # this one only: each unpack calls the user's hook
    else:
        v = saved_values(node, create=True)[i]
        if node.plan[i][0] in ("input", "out") and node.tensors[i] is not None and not _needed(node, i):
            return None  # no gradient to be computed reads it: PyTorch does not save it
    if isinstance(v, Tensor) and v.grad_fn is node:
        v = wrap(v._data, node)  # a fresh tensor each time, as PyTorch's unpacked saved result
    elif isinstance(v, _SCALARS):
        v = wrap(np.asarray(v))
    return v


# -- the call paths ----------------------------------------------------------------

def apply(cls, forward, args, params):
    """Run one op: forward on arrays, then record a node when any input requires grad.

    `args` are the array inputs (tensors or Python scalars), `params` the keyword
    parameters. The forward may return one array or, for n_outputs != 1, a tuple.
    """
    if cls.view and isinstance(args[0]._data, np.generic):
        args[0]._data = np.array(args[0]._data)  # a 0-d result is a NumPy scalar: give it memory a view can share
    # One pass over the inputs, with no comprehension or helper call (this runs on every op):
    # their arrays, and whether any requires grad.
    arrays = []
    record = False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._rg:
                record = True
        else:
            arrays.append(a)
    try:
        out = forward(numpy_ns, *arrays, **params)
    except ValueError:
        if cls.broadcasts:
            check_broadcast(*arrays)
        raise
    except MemoryError as e:
        raise out_of_memory(e) from None
    single = cls.single
    if record and _mode.grad_enabled:
        node = _new(cls)
        rules = cls.rules
        # Each input's edge (its grad_fn, or the leaf itself; None where no gradient flows) and the number
        # of the output it is, in one loop written out: this runs on every op.
        edges = []
        nrs = None
        i = 0
        for a in args:
            if isinstance(a, Tensor) and a._rg and (rules is None or rules[i] is not None):
                fn = a.grad_fn
                edges.append(a if fn is None else fn)
                if a._nr:
                    if nrs is None:
                        nrs = [0] * len(args)
                    nrs[i] = a._nr
            else:
                edges.append(None)
            i += 1
        node.next = edges = tuple(edges)
        node.nrs = None if nrs is None else tuple(nrs)
        node.hooks = None
        node.meta = _broadcast_meta(arrays, out, edges) if cls.broadcasts else None
        if not single:
            if cls.__base__ is VariadicNode:
                node.n_outputs = len(out)
            results = tuple(_output(o, node, k, cls) for k, o in enumerate(out))
        else:
            result = wrap(out, node)
            results = (result,)
        _save(node, cls.plan, args, arrays, results, params)
        if _watch.on:
            _record(node, results)
    elif single:
        result = wrap(out)
        if not cls.view:
            return result  # the no-grad path: nothing more to do
    else:
        results = tuple(wrap(o) for o in out)
    if cls.view:
        if single:
            _as_view(result, args[0], cls, forward, params, None)
        else:
            for k, r in enumerate(results):
                _as_view(r, args[0], cls, forward, params, k)
    return result if single else results


def _as_view(r, base, cls, forward, params, k):
    """Make `r` (output k of a view op, None when the op has one) a view of `base`: it shares base's memory
    and version counter, and remembers how it was made so that an in-place op on it can rewrite its
    base's history (ops/inplace.py)."""
    vc = base._vc
    if vc is None:
        vc = base._vc = [0]
    r._vc = vc
    extra = r._extra = _new(TensorExtras)  # (TensorExtras(...) written out: views are made in hot loops)
    extra.view_of = (base, cls, forward, params, k)
    extra.no_grad_view = not _mode.grad_enabled
    extra.cast_of = extra.hooks = None
    register_view(vc, r)


def _output(a, node, k, cls):
    differentiable = getattr(cls, "differentiable_outputs", None)
    if differentiable is not None and k not in differentiable:
        return wrap(a)
    t = wrap(a, node)
    t._nr = k
    return t


def _broadcast_meta(arrays, out, edges):
    """Per input, (shape, dtype) when its gradient must be summed or cast back; else None."""
    meta = None
    for i, a in enumerate(arrays):
        if edges[i] is not None and (a.shape != out.shape or a.dtype != out.dtype):
            if meta is None:
                meta = [None] * len(arrays)
            meta[i] = (a.shape, a.dtype)
    return None if meta is None else tuple(meta)


def unary(f, d=None, *, node, vjp=None, jvp=None, reuse=None):
    """An element-wise op of one tensor, out = f(x), with derivative d: VJP g*d, JVP t*d.

    `d` names what it needs (NOTE [Rule signatures]): `lambda xp, x: xp.cos(x)`
    saves the input, `lambda xp, out: out` the result. An op whose gradient is
    masked rather than multiplied (relu, floor: NOTE [Masked gradients] in
    ops/elementwise.py) gives its `vjp` and `jvp` instead of d. `reuse(a, out=a)`,
    for an op whose rules do not need x, computes f into a float temporary's own
    array (NOTE [Reusing temporaries]).
    """
    if (d is None) == (vjp is None) or (vjp is not None and jvp is None):
        raise TypeError(f"{node}: give d, or a vjp and a jvp")
    needs = _names(d)[1:] if vjp is None else _names(vjp)[2:]
    if reuse is not None and "x" in needs:
        raise TypeError(f"{node}: an op that saves its input cannot write its result into it")
    rule = _unary_rule(d, needs) if vjp is None else vjp
    cls = node_class(node, (rule,), ("x",), jvp=jvp or _unary_jvp(d))
    save_x, save_out = "x" in needs, "out" in needs
    np_ns = numpy_ns

    # The hot path of every element-wise op: written out by hand, with no generic
    # helper calls, because its cost is paid on every op of every program.
    def op(input, *, out=None):  # (PyTorch's keyword name; the rules call it x)
        x = input
        if out is not None:
            return write_out(op(x), out, op.__name__)
        try:
            xa = x._data
        except AttributeError:
            raise TypeError(f"{op.__name__}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(x).__name__}") from None
        # (Called directly, a temporary tensor has three references here: the parameter, x and getrefcount's
        # argument; a leaf that requires grad stays readable through the graph, so it is never reused.)
        if reuse is not None and xa.__class__ is _ndarray and xa.size > _BIG and _REFCOUNTS \
                and sys.getrefcount(x) <= 3 and sys.getrefcount(xa) <= 3 and xa.base is None \
                and xa.flags.writeable and xa.dtype.kind == "f" and (x.grad_fn is not None or not x._rg):
            out = reuse(xa, out=xa)
        else:
            out = f(np_ns, xa)
        if x._rg and _mode.grad_enabled:
            n = _new(cls)
            fn = x.grad_fn
            n.next = (x if fn is None else fn,)
            n.nrs = (x._nr,) if x._nr else None
            n.meta = None
            n.hooks = None
            t = wrap(out, n)
            if save_x:
                vx = 0 if x._vc is None else x._vc[0]
                # Versions are mostly 0: None says so without allocating a tuple (less GC work).
                if save_out:
                    vc = t._vc = [0]
                    n.saved, n.tensors, n.versions = (xa, out), (x, vc), (vx, 0) if vx else None
                else:
                    n.saved, n.tensors, n.versions = (xa,), (x,), (vx,) if vx else None
                n.epoch = EPOCH[0]
            elif save_out:
                vc = t._vc = [0]
                n.saved, n.tensors, n.versions = (out,), (vc,), None
                n.epoch = EPOCH[0]
            else:
                n.saved = n.tensors = n.versions = ()
            if _watch.on:
                _record(n, (t,))
            return t
        return wrap(out)

    op.node = cls
    return op


def _unary_rule(d, needs):
    # Written out per arity so the backward pass makes one call to d, not a generic one.
    if needs == ():
        return lambda xp, g: _scale(g, d(xp))
    if needs == ("x",):
        return lambda xp, g, x: _times(g, d(xp, x), x, None)
    if needs == ("out",):
        return lambda xp, g, out: _times(g, d(xp, out), out, None)
    if needs == ("x", "out"):
        return lambda xp, g, x, out: _times(g, d(xp, x, out), x, out)
    raise TypeError(f"a unary derivative takes x and/or out, not {needs}")


_ndarray = np.ndarray
_BIG = 1 << 16  # elements: above this an allocation costs more than the checks


def _scale(g, c):
    """g * c for a constant c, in g's own memory when g is a big gradient only the engine holds.

    The five references then are the engine's variable, _run_node's and the
    rule's parameters, this parameter and getrefcount's argument; a hook, a
    captured gradient or another buffer holding g adds one.
    """
    if g.__class__ is _ndarray and g.size > _BIG and _REFCOUNTS and sys.getrefcount(g) <= 5 and g.base is None \
            and g.flags.writeable and c.__class__ in (int, float):
        return np.multiply(g, c, out=g)
    return g * c


def _times(g, d, a, b):
    """g * d, written into d's memory where no one can miss it, else into a new array.

    d may be reused when it is a big temporary the rule just made, or a saved
    array (exp's d is its result) that this backward pass frees next and that
    nothing else refers to: the saved tuple, the rule's parameter, this call's
    two parameters and getrefcount's argument make five references.
    """
    if d.__class__ is _ndarray and d.size > _BIG and d.base is None and d.shape == g.shape \
            and d.dtype == g.dtype and d.flags.writeable:
        if (d is not a and d is not b) or (_REFCOUNTS and _mode.consuming and sys.getrefcount(d) <= 5):
            return np.multiply(g, d, out=d)
    return g * d


def _unary_jvp(d):
    return lambda xp, t, *vals: t * d(xp, *vals)


def binary(f, vjp, *, node, jvp=None, promote=None, check=None, reuse=None, name=None, torch_names=None):
    """An element-wise op of two operands that broadcast, out = f(x, y).

    Either operand may be a Python scalar. `vjp` is a pair of rules (x's, y's).
    `promote(dtype)` may change the computation dtype (true division makes ints float).
    `check(x, y)` vets operands of mixed or unusual dtypes (it never runs for two
    float tensors of one dtype, or a float tensor and a Python number).
    `reuse`, the op's ufunc, lets an op whose rules save nothing write its result
    into a big temporary left operand (NOTE [Reusing temporaries]). `name` is the
    public name, for a row bound to another (`_subtract` is `sub`; else name_ops
    names it after its variable; rows of one op's overloads: `overloads`).
    `torch_names` maps a rule's names to PyTorch's saved-attribute names where
    they differ (`grad_fn._saved_exponent` is y).
    """
    cls = node_class(node, vjp, ("x", "y"), broadcasts=True, jvp=jvp)
    if torch_names:
        cls.torch_names = torch_names
    saves = cls.saves
    if saves not in ((), ("x", "y"), ("x", "y", "out")):
        raise TypeError(f"{node}: binary rules take (), (x, y) or (x, y, out), not {saves}")
    save_xy, save_out = "x" in saves, "out" in saves
    np_ns = numpy_ns

    def op(input, other, *, out=None):  # the hot path of arithmetic: see unary's op
        x, y = input, other
        if out is not None:
            return write_out(op(x, y), out, op.__name__)
        x_is_t = isinstance(x, Tensor)
        y_is_t = isinstance(y, Tensor)
        if x_is_t and y_is_t and promote is None and x._data.dtype is y._data.dtype:
            xa, ya = x._data, y._data  # the common case: nothing to promote
        elif x_is_t and (y.__class__ is _float or y.__class__ is _int) and promote is None \
                and x._data.dtype.kind == "f":
            xa, ya = x._data, y  # a float tensor and a Python number: NumPy keeps the tensor's dtype
        else:
            if check is not None:
                check(x, y)
            xa, ya, x_is_t, y_is_t = _operands(op, x, y, promote)
        try:
            if reuse is not None and x_is_t and xa.__class__ is _ndarray and xa.size > _BIG and _REFCOUNTS \
                    and sys.getrefcount(x) <= 4 and sys.getrefcount(xa) <= 3 and _writable_as_result(xa, ya) \
                    and (x.grad_fn is not None or not x._rg):
                out = reuse(xa, ya, out=xa)
            else:
                out = f(np_ns, xa, ya)
        except ValueError:
            check_broadcast(xa, ya)
            raise
        except MemoryError as e:
            raise out_of_memory(e) from None
        if out.ndim > 1 and x_is_t and not xa.flags.c_contiguous:
            out = _first_operand_layout(out, xa)
        xg = x_is_t and x._rg
        yg = y_is_t and y._rg
        if (xg or yg) and _mode.grad_enabled:
            n = _new(cls)
            ex = (x if x.grad_fn is None else x.grad_fn) if xg else None
            ey = (y if y.grad_fn is None else y.grad_fn) if yg else None
            n.next = (ex, ey)
            n.nrs = (x._nr if xg else 0, y._nr if yg else 0) if (xg and x._nr) or (yg and y._nr) else None
            n.hooks = None
            # The gradient must come back in each input's own shape and dtype (before promotion).
            oshape, odtype = out.shape, out.dtype
            mx = my = None
            if xg and (xa.shape != oshape or x._data.dtype is not odtype):
                mx = _meta(xa.shape, x._data.dtype, oshape, odtype)
            if yg and (ya.shape != oshape or y._data.dtype is not odtype):
                my = _meta(ya.shape, y._data.dtype, oshape, odtype)
            n.meta = None if mx is None and my is None else (mx, my)
            t = wrap(out, n)
            if save_xy:
                tx = x if x_is_t else None
                ty = y if y_is_t else None
                vx = 0 if tx is None or x._vc is None else x._vc[0]
                vy = 0 if ty is None or y._vc is None else y._vc[0]
                if save_out:
                    vc = t._vc = [0]
                    n.saved, n.tensors, n.versions = (xa, ya, out), (tx, ty, vc), (vx, vy, 0) if vx or vy else None
                else:
                    n.saved, n.tensors, n.versions = (xa, ya), (tx, ty), (vx, vy) if vx or vy else None
                n.epoch = EPOCH[0]
            else:
                n.saved = n.tensors = n.versions = ()
            if _watch.on:
                _record(n, (t,))
            return t
        return wrap(out)

    op.node = cls
    if name is not None:
        op.__name__ = op.__qualname__ = name
    return op


def _first_operand_layout(out, xa):
    # NumPy lays out the result of operands of different layouts in C order, PyTorch in the first operand's
    # (x.T + y is not contiguous in PyTorch): which decides is_contiguous(), view() and contiguous()'s node.
    if xa.shape != out.shape or xa.__class__ is not _ndarray or out.__class__ is not _ndarray:
        return out
    r = np.empty_like(xa, dtype=out.dtype)  # x's order of dims, dense
    if r.strides == out.strides:
        return out
    np.copyto(r, out)
    return r


# NOTE [Reusing temporaries]
# In `a * b + c` the product is a temporary: nothing but the expression holds it. As
# NumPy does for its own temporaries, an op whose rules need neither operand (add,
# sub) may then write its result into the temporary's array instead of a new one.
# References prove it: inside a binary op (reached through an operator method), a
# temporary tensor has three (the method's parameter, the op's, getrefcount's
# argument), inside a unary op called directly two, and its array three (the
# tensor, the local variable, the argument); a name, a container, a view or a
# node that saved it adds one. A leaf that requires grad is never reused: the
# graph shows it (next_functions). Element-wise unary ops whose rules need only
# their result (relu, exp, tanh) reuse too. CPython before 3.14 only
# (engine._add_in_place says why).

def _writable_as_result(a, b):
    return a.base is None and a.flags.writeable and a.dtype.kind == "f" and (
        b.__class__ in (_float, _int) or (b.dtype == a.dtype and b.ndim <= a.ndim and
                                          np.broadcast_shapes(a.shape, b.shape) == a.shape))


def _record(node, results):
    # NOTE [Watching new nodes] (dxdy/mode.py): anomaly mode, saved-tensor hooks, or both.
    if _anomaly.enabled:
        from ..autograd.anomaly_mode import record
        record(node)
    if _mode.saved_hooks and node.tensors:
        from ..saved_tensors import pack_node
        pack_node(node, results)


def _meta(shape, dtype, oshape, odtype):
    # dtypes compared by identity first (cheap); equal dtypes need no cast.
    if shape == oshape and dtype == odtype:
        return None
    return (shape, dtype)


def _operands(op, x, y, promote):
    """Arrays for x and y in PyTorch's result dtype (Python scalars stay scalars when NumPy agrees)."""
    x_is_t = isinstance(x, Tensor)
    y_is_t = isinstance(y, Tensor)
    if x_is_t and y_is_t:
        xa, ya = x._data, y._data
        if xa.dtype != ya.dtype:
            d = _dt.result_type_of(
                [_dt.from_numpy(a.dtype) for a in (xa, ya) if a.ndim],
                [_dt.from_numpy(a.dtype) for a in (xa, ya) if not a.ndim], ()).np
            xa, ya = xa.astype(d, copy=False), ya.astype(d, copy=False)
    elif x_is_t:
        xa, ya = _with_scalar(x._data, _scalar(op, y, "other", 2))
    elif y_is_t:
        ya, xa = _with_scalar(y._data, _scalar(op, x, "input", 1))
    else:
        raise TypeError(f"{op.__name__}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    if promote is not None:
        a = xa if x_is_t else ya
        d = promote(a.dtype)
        if d is not None:  # a number then meets the promoted dtype as it is (not wrapped to the tensor's)
            xa = xa.astype(d) if x_is_t else x
            ya = ya.astype(d) if y_is_t else y
    return xa, ya, x_is_t, y_is_t


def _scalar(op, v, name, position):
    if isinstance(v, _SCALARS):
        return v.item() if isinstance(v, np.generic) else v  # NumPy scalars count as Python numbers
    if isinstance(v, np.ndarray):
        raise TypeError(f"{op.__name__}(): expected a Tensor or a number, got numpy.ndarray "
                        f"(wrap it with dxdy.from_numpy or dxdy.tensor)")
    raise TypeError(f"{op.__name__}(): argument '{name}' (position {position}) must be Tensor, "
                    f"not {type(v).__name__}")


def _with_scalar(a, s):
    """The tensor's array and the Python scalar `s`, as PyTorch combines them.

    A scalar of a higher category lifts the result dtype (an int tensor and a float
    give the default float dtype); an int scalar outside an int tensor's range wraps
    around to that dtype, as PyTorch casts it, where NumPy would refuse it.
    """
    kind = a.dtype.kind
    if kind == "f":
        return a, s
    if isinstance(s, (_float, np.floating)):
        return a.astype(_dt.get_default_dtype().np), s
    if isinstance(s, (_int, np.integer)) and not isinstance(s, (_bool, np.bool_)):
        if kind == "b":
            return a.astype(np.int64), s
        return a, wrap_int(s, a.dtype)
    return a, s


def wrap_int(s, dtype):
    """The Python int `s` cast to the integer `dtype` as PyTorch casts a scalar: modulo 2**bits."""
    info = np.iinfo(dtype)
    if info.min <= s <= info.max:
        return s
    return int(np.asarray(s, np.int64).astype(dtype))


def out_of_memory(e):
    """PyTorch's RuntimeError for NumPy's MemoryError `e` (which names the array's shape and dtype)."""
    if getattr(e, "shape", None) is None:
        from ..tensor import OutOfMemory
        return OutOfMemory(f"DefaultCPUAllocator: can't allocate memory: {e}")
    return allocation_error(e.shape, e.dtype)


def check_broadcast(*arrays):
    """Raise PyTorch's RuntimeError when the shapes of `arrays` do not broadcast together."""
    broadcast_shape(*(np.shape(a) for a in arrays))


def broadcast_shape(*shapes):
    """The shape `shapes` broadcast to; PyTorch's RuntimeError (naming the first mismatch) when they do not."""
    shape = ()
    for s in shapes:
        s = tuple(s)
        n = max(len(shape), len(s))
        p, q = (1,) * (n - len(shape)) + shape, (1,) * (n - len(s)) + s
        for i in range(n - 1, -1, -1):
            if p[i] != q[i] and p[i] != 1 and q[i] != 1:
                raise RuntimeError(f"The size of tensor a ({p[i]}) must match the size of tensor b ({q[i]}) "
                                   f"at non-singleton dimension {i}")
        shape = tuple(max(u, v) if u != 0 and v != 0 else 0 for u, v in zip(p, q))
    return shape


def op(f, vjp, *, node, n_outputs=1, broadcasts=False, jvp=None, linear=False, torch_names=None,
       differentiable_outputs=None, view=False, saves_index=False, multilinear=False, name=None):
    """A general op: `f(xp, *inputs, **params)`, one rule per input in `vjp` (None: not differentiable).

    Returns `call(*inputs, **params)`; the public function normalises its
    arguments and calls it. A forward with `*xs` takes any number of inputs and
    one rule for all of them; `n_outputs=None` means as many outputs as the
    forward returns; `view=True` means the result shares memory (and so the
    version counter) with the first input; `saves_index=True` means a parameter
    is an index or mask that PyTorch saves as a tensor (a second backward fails);
    `multilinear=True` (a `*xs` forward) means operand i's gradient reads the other operands only.
    """
    names = _names(f)
    code = f.__code__
    inputs = names[1:code.co_argcount]
    params = names[code.co_argcount:]
    if code.co_flags & 0x04:  # *xs: any number of inputs
        inputs, rules = ("*",), vjp
        params = names[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    else:
        rules = vjp if isinstance(vjp, tuple) else (vjp,)
        if len(rules) != len(inputs):
            raise TypeError(f"{node}: {len(inputs)} inputs but {len(rules)} rules")
    cls = node_class(node, rules, inputs, params, n_outputs=n_outputs, broadcasts=broadcasts, jvp=jvp,
                     linear=linear, view=view, saves_index=saves_index, multilinear=multilinear)
    if torch_names:
        cls.torch_names = torch_names
    if differentiable_outputs is not None:
        cls.differentiable_outputs = differentiable_outputs

    def call(*args, **kwargs):
        return apply(cls, f, args, kwargs)

    if view and n_outputs == 1 and len(inputs) == 1:
        np_ns = numpy_ns

        def call(x, **params):  # noqa: F811
            # A view of one tensor, with no graph to record (x[i] in a loop, no_grad code): apply's
            # result, made with less Python.
            a = x._data
            if a.__class__ is not _ndarray or (x._rg and _mode.grad_enabled):
                return apply(cls, f, (x,), params)
            try:
                out = f(np_ns, a, **params)
            except MemoryError as e:
                raise out_of_memory(e) from None
            result = wrap(out)
            _as_view(result, x, cls, f, params, None)
            return result

    call.node = cls
    if name is not None:  # (as binary's)
        call.__name__ = call.__qualname__ = name
    return call


def nondifferentiable(f):
    """An op with no gradient (comparisons, argmax, ...): arrays in, a tensor that never requires grad out."""
    np_ns = numpy_ns

    def call(*args, **kwargs):
        arrays = []
        for a in args:  # (a loop, not a comprehension: this runs on every call)
            arrays.append(a._data if isinstance(a, Tensor) else a)
        return wrap(f(np_ns, *arrays, **kwargs))

    return call


def as_operands(x, y):
    """Two operands (tensors or Python scalars) as tensors of PyTorch's result dtype.

    For ops without a scalar fast path; a tensor that must change dtype is cast
    with a differentiable `to`.
    """
    xt, yt = isinstance(x, Tensor), isinstance(y, Tensor)
    if not xt and not yt:
        raise TypeError(f"expected at least one Tensor, got {type(x).__name__} and {type(y).__name__}")
    dims = [t.dtype for t in (x, y) if isinstance(t, Tensor) and t._data.ndim]
    zero_dims = [t.dtype for t in (x, y) if isinstance(t, Tensor) and not t._data.ndim]
    scalars = [_dt.scalar_dtype(v) for v in (x, y) if not isinstance(v, Tensor)]
    d = _dt.result_type_of(dims, zero_dims, scalars)
    return tuple(_as_dtype(v, d) for v in (x, y))


def _as_dtype(v, d):
    if isinstance(v, Tensor):
        if v._data.dtype == d.np:
            return v
        # The op saves this cast where PyTorch saves v itself: sharing v's version counter lets a later
        # in-place change of v fail backward as it does there. (The cast never leaves the op.)
        cast = v.to(d)
        cast._vc = version_counter(v)
        cast._extra = TensorExtras(cast_of=v)  # for the error's text, which names v
        return cast
    if d.np.kind in "iu" and isinstance(v, (_int, np.integer)):
        v = wrap_int(v, d.np)
    return wrap(np.asarray(v, d.np))


def overloads(factory, f, rows, **shared):
    """One op's rows by PyTorch's overload names (derivatives.yaml's `pow.Tensor_Scalar`): {overload: caller}.

    `rows` maps each overload to its node name, or to what its row adds to the
    arguments `factory` (unary, binary or op) shares among them: its `node`, and its
    rules where they differ. Every caller is named after the op (`pow`).
    """
    callers = {}
    for overload, own in rows.items():
        caller = factory(f, **shared, **(own if isinstance(own, dict) else {"node": own}))
        caller.__name__ = caller.__qualname__ = overload.split(".")[0]
        callers[overload] = caller
    return callers


def name_ops(namespace):
    """Give each op made by the factories above the name it is bound to (for messages and help)."""
    for name, fn in list(namespace.items()):
        if callable(fn) and hasattr(fn, "node") and fn.__name__ in ("op", "call"):
            fn.__name__ = fn.__qualname__ = name.lstrip("_")


# -- warnings --------------------------------------------------------------------------

_WARNED = set()


def warn_once(message, stacklevel=2):
    """A UserWarning that PyTorch gives once per process (TORCH_WARN_ONCE), whatever the warnings filters say."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


# -- out= ------------------------------------------------------------------------------

def write_out(result, out, name=None):
    """`out=`: the result written into out (resized, with PyTorch's warning, if its shape differs).

    As in PyTorch, out= is for computations without a graph: it refuses inputs or an out
    that require grad while grad mode is on. A tuple result (max along a dim, sort...)
    takes a tuple of outs. `name` defaults to the calling function's.
    """
    if out is None:
        return result
    name = name or sys._getframe(1).f_code.co_name
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        return type(result)([write_out(r, o, name) for r, o in zip(result, out)])
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {_dt.type_name(out)}")
    if _mode.grad_enabled and (result._rg or out._rg):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad.")
    a, r = out._data, result._data
    if _dt.from_numpy(r.dtype).category > _dt.from_numpy(a.dtype).category:
        raise RuntimeError(f"result type {type_title(r)} can't be cast to the desired output type {type_title(a)}")
    if a.shape != r.shape or not isinstance(a, np.ndarray):
        if a.shape != r.shape and a.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(a.shape)}, "
                          f"which does not match the required output shape {list(r.shape)}. Pass an out of that "
                          f"shape, or one with no elements, to reuse it without this warning.", UserWarning,
                          stacklevel=3)
        out._data = np.array(r, dtype=a.dtype)
    else:
        if _watch.on:
            from ..saved_tensors import before_write
            before_write(out)
        np.copyto(writable(out), r, casting="unsafe")
    bump_version(out)
    return out


def type_title(a):
    """PyTorch's name of an array's dtype in messages: Float, Double, Long..."""
    return _dt.from_numpy(a.dtype).type_name


def writable(t):
    """t's array, to write into (a NumPy scalar becomes an array first); refuses an expanded tensor."""
    a = t._data
    if not isinstance(a, np.ndarray):
        a = t._data = np.array(a)
    if not a.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
    return a
