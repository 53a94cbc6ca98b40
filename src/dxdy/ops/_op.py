"""The op record: an op's forward and its derivative rules, stated once, and the call paths.

NOTE [Rule signatures]
A rule is a function of the array namespace `xp`, the cotangent `g` (a VJP) or
the tangent `t` (a JVP), and then named values; the names declare what that rule
reads, and the op saves exactly what its rules name:

    x, y, ...      the op's array inputs, by the forward's positional parameter names
    out            the result (a tuple of results for ops with several outputs)
    x_shape, ...   the shape (x_dtype: the dtype) of an input, saved instead of the input
    dim, ...       any keyword-only parameter of the forward

Each rule names what it reads, and nothing else: mul's rules are `g * y` for x and
`g * x` for y. A node saves the union of its rules' names, in the forward's order
(the inputs, each followed by its shape and dtype, then out, then the parameters),
and calls each rule with its own names only. A rule that must keep a tensor that
PyTorch's node saves, without reading it, names it (NOTE [Unused saved tensors] in
graph.py).
In a plain backward pass `xp` is the array namespace (dxdy.ops._xp.numpy_ns) and
the values are arrays; under create_graph=True, `xp` is dxdy.ops._xp.tensor_ns
and the values are tensors, so the rule records a graph of its own and
derivatives of any order come free. A rule may return None for a zero gradient.

The engine, not the rules, sums a gradient back to a broadcast input's shape and
casts it to the input's dtype: ops that broadcast say so with `broadcasts=True`.
"""
from inspect import CO_VARARGS

import numpy as np

from ..graph import Node, next_node_number
from ..messages import out_of_memory
from ..mode import state as _mode, anomaly as _anomaly, watch as _watch
from ..saved_tensors import pack_node
from ..tensor import Tensor, TensorExtras, wrap, version_counter, register_view, EPOCH
from ._xp import numpy_ns
from .out import write_out
from .promotion import _operands, check_broadcast
from .reuse import BIG, unshared_input, unshared_left_operand, times_constant, times_derivative, first_operand_layout

_new = object.__new__
_int, _float, _bool = int, float, bool


# -- node classes ----------------------------------------------------------------

def _names(fn):
    code = fn.__code__
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


class VariadicNode(Node):
    """A node whose op makes as many outputs as its arguments ask for (split, unbind)."""

    __slots__ = ("n_outputs",)


def node_class(name, rules, inputs, params=(), n_outputs=1, broadcasts=False, jvp=None, linear=False,
               view=False, saves_index=False, multilinear=False, pack_order=()):
    """A Node subclass for one op: its rules and the plan of what to save.

    `rules` holds one VJP per input (None where an input is not differentiable);
    each is `rule(xp, g, *saved)`, its own parameter names saying which saved values it
    takes (NOTE [Rule signatures]). `inputs` names the forward's array inputs; for
    an op of any number of inputs (cat, stack), `rules` is a single rule that
    returns the gradients of all of them. `pack_order` names saved tensors in the order PyTorch's node
    packs them (NOTE [Pack order] in saved_tensors.py), where that is not the order the rules name them.
    """
    variadic_inputs = callable(rules)
    live = [rules] if variadic_inputs else [r for r in rules if r is not None]
    order = [n for s in inputs for n in (s, s + "_shape", s + "_dtype")] + ["out", *params]
    if inputs == ("*",):
        order.insert(0, "xs")
    named = {n for r in live for n in _names(r)[2:]}
    for s in named.difference(order):
        raise TypeError(f"{name}: a rule asks for '{s}', which is neither an input, 'out', "
                        f"an input's shape or dtype, nor a parameter of the forward")
    saves = tuple(n for n in order if n in named)
    plan = []
    for s in saves:
        if s == "xs":
            plan.append(("inputs", None))
        elif s in inputs:
            plan.append(("input", inputs.index(s)))
        elif s == "out":
            plan.append(("out", None))
        elif s.endswith("_shape") and s[:-6] in inputs:
            plan.append(("shape", inputs.index(s[:-6])))
        elif s.endswith("_dtype") and s[:-6] in inputs:
            plan.append(("dtype", inputs.index(s[:-6])))
        else:
            plan.append(("param", s))
    # Per rule, the positions in `saves` of the values it takes (() for an absent rule); None for all when
    # every rule takes every saved value in order (the common case, which the engine calls without picking).
    takes = None if variadic_inputs else \
        tuple(() if r is None else tuple(saves.index(n) for n in _names(r)[2:]) for r in rules)
    if takes is not None and all(r is None or t == tuple(range(len(saves))) for r, t in zip(rules, takes)):
        takes = None
    for n in set(pack_order).difference(saves):
        raise TypeError(f"{name}: pack_order names '{n}', which the node does not save")
    packs = [n for n in dict.fromkeys((*pack_order, *(n for r in live for n in _names(r)[2:]))) if n in saves]
    attrs = {
        "__slots__": (), "rules": None if variadic_inputs else tuple(rules),
        "rule_all": staticmethod(rules) if variadic_inputs else None, "saves": saves, "plan": tuple(plan),
        "takes": takes, "pack_order": tuple(saves.index(n) for n in packs),
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


def save(node, plan, args, arrays, results, params):
    """Fill `node.saved`, `node.tensors` and `node.versions` by the class's plan.

    apply saves through it, and binary for any layout its written-out path does not
    cover. unary's and binary's hot paths write the common layouts (x; x, out; x, y;
    x, y, out) inline, filling the same three fields the same way: a call here costs
    about three times the inline code, a measurable share of a small element-wise op.

    `arrays` are the inputs as the forward saw them (after any dtype promotion).
    """
    saved, tensors = [], []
    versions = None  # stays None while every saved tensor is at version 0 (most ops)
    i = 0
    for kind, key in plan:  # (the kinds by how often they occur)
        if kind == "input":
            v = args[key]
            saved.append(arrays[key])
            if isinstance(v, Tensor):
                tensors.append(v)
                vc = v._vc
                if vc is not None and vc[0]:
                    versions = _at(versions, len(plan), i, vc[0])
            else:
                tensors.append(None)
        elif kind == "out":
            if len(results) == 1:
                saved.append(results[0]._data)
                tensors.append(_fresh_counter(results[0]))
            else:
                saved.append(tuple(r._data for r in results))
                tensors.append(tuple(version_counter(r) for r in results))
                versions = _at(versions, len(plan), i, (0,) * len(results))  # (a tuple source takes a tuple)
        elif kind == "param":
            saved.append(params[key])
            tensors.append(None)
        elif kind == "shape":
            a = arrays[key]
            saved.append(a.shape if a.__class__ is np.ndarray else np.shape(a))
            tensors.append(None)
        elif kind == "inputs":
            saved.append(tuple(arrays))
            tensors.append(tuple(args))
            if args:
                versions = _at(versions, len(plan), i, tuple(_version(a) if isinstance(a, Tensor) else 0
                                                             for a in args))
        else:  # "dtype"
            saved.append(arrays[key].dtype)
            tensors.append(None)
        i += 1
    node.saved = tuple(saved)
    node.tensors = tuple(tensors)
    node.versions = None if versions is None else tuple(versions)
    node.epoch = EPOCH[0]


def _at(versions, n, i, version):
    if versions is None:
        versions = [0] * n
    versions[i] = version
    return versions


def _fresh_counter(result):
    vc = result._vc = [0]  # (a result saved by its own node gets its version counter now)
    return vc


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
        node._seq = next_node_number()
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
        save(node, cls.plan, args, arrays, results, params)
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
        if reuse is not None and xa.__class__ is _ndarray and xa.size > BIG and unshared_input(x, xa):
            out = reuse(xa, out=xa)
        else:
            out = f(np_ns, xa)
        if x._rg and _mode.grad_enabled:
            n = _new(cls)
            n._seq = next_node_number()
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
        return lambda xp, g: times_constant(g, d(xp))
    if needs == ("x",):
        return lambda xp, g, x: times_derivative(g, d(xp, x), x, None)
    if needs == ("out",):
        return lambda xp, g, out: times_derivative(g, d(xp, out), out, None)
    if needs == ("x", "out"):
        return lambda xp, g, x, out: times_derivative(g, d(xp, x, out), x, out)
    raise TypeError(f"a unary derivative takes x and/or out, not {needs}")


_ndarray = np.ndarray


def _unary_jvp(d):
    return lambda xp, t, *vals: t * d(xp, *vals)


def binary(f, vjp, *, node, jvp=None, promote=None, check=None, reuse=None, torch_names=None, saved_for_y_only=False,
           pack_order=()):
    """An element-wise op of two operands that broadcast, out = f(x, y).

    Either operand may be a Python scalar. `vjp` is a pair of rules (x's, y's).
    `promote(dtype)` may change the computation dtype (true division makes ints float).
    `check(x, y)` vets operands of mixed or unusual dtypes (it never runs for two
    float tensors of one dtype, or a float tensor and a Python number).
    `reuse`, the op's ufunc, lets an op whose rules save nothing write its result
    into a big temporary left operand (NOTE [Reusing temporaries]). name_ops names
    the op after its variable (an op of several overloads: `overloads`).
    `torch_names` maps a rule's names to PyTorch's saved-attribute names where
    they differ (`grad_fn._saved_exponent` is y). `saved_for_y_only`: what the node saves, y's rule
    alone reads (x's reads nothing), and PyTorch saves it only when y requires grad (as its generated
    nodes do for a value one input's formula uses); without y's gradient the node saves nothing.
    """
    cls = node_class(node, vjp, ("x", "y"), broadcasts=True, jvp=jvp, pack_order=pack_order)
    unsaved = None  # the node class without y's rule, which saves nothing (saved_for_y_only)
    if saved_for_y_only:
        if _names(vjp[0])[2:]:
            raise TypeError(f"{node}: saved_for_y_only, but x's rule reads {_names(vjp[0])[2:]}")
        unsaved = node_class(node, (vjp[0], None), ("x", "y"), broadcasts=True, jvp=jvp)
    if torch_names:
        cls.torch_names = torch_names
    plan = cls.plan
    save_xy = cls.saves in (("x", "y"), ("x", "y", "out"))
    save_out = save_xy and "out" in cls.saves
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
            if reuse is not None and x_is_t and xa.__class__ is _ndarray and xa.size > BIG \
                    and unshared_left_operand(x, xa, ya):
                out = reuse(xa, ya, out=xa)
            else:
                out = f(np_ns, xa, ya)
        except ValueError:
            check_broadcast(xa, ya)
            raise
        except MemoryError as e:
            raise out_of_memory(e) from None
        if out.ndim > 1 and x_is_t and not xa.flags.c_contiguous:
            out = first_operand_layout(out, xa)
        xg = x_is_t and x._rg
        yg = y_is_t and y._rg
        if (xg or yg) and _mode.grad_enabled:
            n = _new(cls if unsaved is None or yg else unsaved)
            n._seq = next_node_number()
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
            if n.__class__ is unsaved:
                n.saved = n.tensors = n.versions = ()
            elif save_xy:
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
            elif plan:  # (what the written-out path above does not cover)
                save(n, plan, (x, y), (xa, ya), (t,), None)
            else:
                n.saved = n.tensors = n.versions = ()
            if _watch.on:
                _record(n, (t,))
            return t
        return wrap(out)

    op.node = cls
    return op


def _record(node, results):
    # NOTE [Watching new nodes] (dxdy/mode.py): anomaly mode, saved-tensor hooks, or both.
    if _anomaly.enabled:
        from ..autograd.anomaly_mode import record
        record(node)
    if _mode.saved_hooks and node.tensors:
        pack_node(node, results)


def _meta(shape, dtype, oshape, odtype):
    # dtypes compared by identity first (cheap); equal dtypes need no cast.
    if shape == oshape and dtype == odtype:
        return None
    return (shape, dtype)


def op(f, vjp, *, node, n_outputs=1, broadcasts=False, jvp=None, linear=False, torch_names=None,
       differentiable_outputs=None, view=False, saves_index=False, multilinear=False, pack_order=()):
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
    if code.co_flags & CO_VARARGS:  # *xs: any number of inputs
        inputs, rules = ("*",), vjp
        params = names[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    else:
        rules = vjp if isinstance(vjp, tuple) else (vjp,)
        if len(rules) != len(inputs):
            raise TypeError(f"{node}: {len(inputs)} inputs but {len(rules)} rules")
    cls = node_class(node, rules, inputs, params, n_outputs=n_outputs, broadcasts=broadcasts, jvp=jvp,
                     linear=linear, view=view, saves_index=saves_index, multilinear=multilinear,
                     pack_order=pack_order)
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


def overloads(factory, f, rows, **shared):
    """One op's rows by PyTorch's overload names (derivatives.yaml's `pow.Tensor_Scalar`): {overload: caller}.

    `rows` maps each overload to its node name, or to what its row adds to the
    arguments `factory` (unary, binary or op) shares among them: its `node`, and its
    rules (and forward `f`: clamp's) where they differ. Every caller is named after the op (`pow`).
    """
    callers = {}
    for overload, own in rows.items():
        own = {**shared, **(own if isinstance(own, dict) else {"node": own})}
        caller = factory(own.pop("f", f), **own)
        caller.__name__ = caller.__qualname__ = overload.split(".")[0]
        callers[overload] = caller
    return callers


def name_ops(namespace):
    """Give each op made by the factories above the name it is bound to (for messages and help)."""
    for name, fn in list(namespace.items()):
        if callable(fn) and hasattr(fn, "node") and fn.__name__ in ("op", "call"):
            fn.__name__ = fn.__qualname__ = name.lstrip("_")
