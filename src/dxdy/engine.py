"""The backward pass: dependency counting over the graph, never recursion.

`run_backward` walks the graph from the roots once to count, for every node and
leaf, how many edges lead into it; then it runs a node when all its gradients
have arrived, holding them in a dict keyed by node and popping each entry as it
is used. A leaf's gradient is accumulated into `.grad` (backward) or captured
and returned (autograd.grad).

NOTE [Gradient accumulation]
Gradients that meet at a node are summed out of place, so no array is written
while another node may still read it. A leaf's `.grad` is the only array the
engine writes in place (on later backward calls), so the first gradient stored
there must belong to it alone: the engine copies one that came from the user (a
root gradient, a hook's result), that is a view, or that another leaf already
holds; anything else is a fresh result of a rule and is kept as it is.

NOTE [Execution order]
Of the nodes that are ready (all their gradients have arrived), the engine runs
the one made last first, as PyTorch's engine does: every node takes the next
number of one counter when it is made (graph.next_node_number; a custom
Function's node before its forward runs), and a leaf (PyTorch's AccumulateGrad)
outranks every node. The order is visible wherever user code runs during
backward: hooks, retain_grad, custom backward(), the first error raised. The
ready set is a plain list while it holds at most one entry (a chain of ops), and
PyTorch's heap otherwise (dxdy/ready_queue.py). The roots are pushed in the
order backward() was given them, each once all its gradients (several when a
root is repeated or reached from another root) have come.
"""
import itertools
import sys

import numpy as np

from . import dtypes as _dt
from .graph import saved_values
from .mode import state as _mode, anomaly as _anomaly
from .ops._xp import numpy_ns, tensor_ns, REFCOUNTS as _REFCOUNTS
from .ops.reuse import BIG as _BIG
from .ready_queue import LEAF_RANK as _LEAF_RANK, push as _push, pop as _pop
from .tensor import Tensor, wrap, EPOCH as _EPOCH

_task_ids = itertools.count(1)


def run_backward(roots, grads, *, retain_graph, create_graph, inputs=None, accumulate=True):
    """Back-propagate `grads` (arrays, or tensors when create_graph) from the tensors `roots`.

    With `inputs`, only what leads to them runs; when `accumulate` is False their
    gradients are returned (None where nothing arrived) instead of stored in `.grad`.
    """
    edges = [_edge_of(t) for t in roots]
    targets = None
    if inputs is not None:
        targets = {}
        for k, t in enumerate(inputs):
            targets.setdefault(_edge_of(t), []).append((k, t))
    deps, runs = _count(edges, targets)

    xp = tensor_ns if create_graph else numpy_ns
    buffers = {}
    for e, t, g in zip(edges, roots, grads):
        _add(buffers, e, t._nr, g)
    captured = [None] * (len(inputs) if inputs is not None else 0)
    foreign = {id(g) for g in grads}
    ready, ranks = [], []  # the ready heap, its ranks ([] while it holds <= 1: NOTE [Execution order])
    last = {e: i for i, e in enumerate(edges)}
    for i, e in enumerate(edges):
        if last[e] == i and deps[e] == 0:
            if ready:
                _push(ready, ranks, e, e._seq if e.is_node else _LEAF_RANK)
            else:
                ready.append(e)

    anomaly = _anomaly.enabled
    senders = {}  # under anomaly mode: which nodes sent each node its gradient
    saved_mode = _mode.grad_enabled, _mode.consuming, _mode.task
    _mode.grad_enabled = create_graph
    _mode.consuming = not retain_graph and not create_graph
    _mode.task = (next(_task_ids), deps)  # for hooks that ask what this pass reaches (register_multi_grad_hook)
    try:
        while ready:
            e = _pop(ready, ranks) if ranks else ready.pop()
            g = buffers.pop(e, None)
            if not e.is_node:
                _reach_leaf(e, g, targets, captured, accumulate, create_graph, foreign)
                continue
            node = e
            if node.hooks is not None:
                g = _pre_hooks(node, g, foreign, targets is None or _executes(node, runs, targets, accumulate))
            if targets is not None:
                if node in targets:
                    _capture(node, g, targets[node], captured, accumulate, create_graph)
                if not _executes(node, runs, targets, accumulate):
                    continue
            # A node with hooks shows them its gradient after the rules ran: hold a second reference so
            # that no rule reuses its memory (NOTE [Reusing temporaries] in ops/reuse.py).
            held = g if node.hooks is not None else None
            if anomaly:
                grads_in = _run_checked(node, g, xp, create_graph, senders.get(node, ()))
            else:
                grads_in = _run_node(node, g, xp, create_graph)
            held = None  # noqa: F841 (the reference was the point: see above)
            if not retain_graph and node.frees and node.saved:
                node.saved = None
                node.tensors = None
            if node.hooks is not None and node.hooks.post:
                grads_in = _post_hooks(node, grads_in, g, foreign)
            meta, nrs = node.meta, node.nrs
            for i, nxt in enumerate(node.next):
                if nxt is None:
                    continue
                count = deps.get(nxt)
                if count is None:
                    continue  # pruned: leads to no input
                gi = grads_in[i]
                if gi is not None:
                    if meta is not None and meta[i] is not None:
                        gi = _conform(xp, gi, meta[i], create_graph)
                    if nxt.is_node and nxt.n_outputs > 1:
                        _add_to_output(buffers, nxt, 0 if nrs is None else nrs[i], gi)
                    else:
                        prev = buffers.get(nxt)
                        if prev is None:
                            buffers[nxt] = gi
                        elif not (_REFCOUNTS and _add_in_place(prev, gi)):
                            buffers[nxt] = prev + gi  # NOTE [Gradient accumulation]
                if anomaly:
                    senders.setdefault(nxt, []).append(node)
                if count == 1:
                    if ready:
                        _push(ready, ranks, nxt, nxt._seq if nxt.is_node else _LEAF_RANK)
                    else:
                        ready.append(nxt)  # ranked only once a second entry comes (_push)
                else:
                    deps[nxt] = count - 1
            # Drop this node's gradients now, not at the next iteration: on big tensors they
            # are the peak memory of the backward pass.
            g = grads_in = gi = prev = None
    finally:
        _mode.grad_enabled, _mode.consuming, _mode.task = saved_mode
    return captured


def _executes(node, runs, targets, accumulate):
    # As in PyTorch, backward(inputs=...) runs the nodes of its inputs too; grad() only captures there.
    return node in runs or (accumulate and node in targets)


def _edge_of(t):
    fn = t.grad_fn
    return t if fn is None else fn


def _count(edges, targets):
    """How many edges lead into each node and leaf reachable from `edges`.

    With targets, also the set of nodes that must run (those that lead to a
    target); nodes that lead to none are left out of the counts altogether.
    """
    deps = {}
    stack = []
    for e in edges:
        if e not in deps:
            deps[e] = 0
            if e.is_node:
                stack.append(e)
    while stack:
        node = stack.pop()
        for nxt in node.next:
            if nxt is None:
                continue
            count = deps.get(nxt)
            if count is None:
                deps[nxt] = 1
                if nxt.is_node:
                    stack.append(nxt)
            else:
                deps[nxt] = count + 1
    if targets is None:
        return deps, None
    runs = _leading_to(deps, edges, targets)
    kept = {e: 0 for e in edges}
    for e in deps:
        if e in runs:
            for nxt in e.next:
                if nxt is not None and (nxt in runs or nxt in targets):
                    kept[nxt] = kept.get(nxt, 0) + 1
    return kept, runs


def _leading_to(deps, edges, targets):
    """The nodes from which some target can be reached (iterative post-order)."""
    leads = {}
    for root in dict.fromkeys(edges):
        if root in leads or not root.is_node:
            continue
        stack = [(root, iter(root.next))]
        leads[root] = False
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt is None:
                    continue
                if nxt in targets:
                    leads[node] = True
                if nxt.is_node:
                    if nxt not in leads:
                        leads[nxt] = False
                        stack.append((nxt, iter(nxt.next)))
                        break
                    if leads[nxt]:
                        leads[node] = True
            else:
                stack.pop()
                if stack and leads[node]:
                    leads[stack[-1][0]] = True
    return {n for n, v in leads.items() if v}


def _add_in_place(prev, gi):
    """prev += gi when prev is a big array that nothing but the engine's buffer refers to.

    NOTE [Gradient accumulation] sums out of place because an array may be shared
    (a rule may pass its gradient on unchanged to several inputs); four
    references (the buffer, the caller's variable, this parameter, getrefcount's
    argument) prove that this one is not, so the sum can reuse its memory, as
    PyTorch's engine does for a gradient it holds alone.
    """
    if prev.__class__ is np.ndarray and prev.size > _BIG and sys.getrefcount(prev) <= 4 and prev.base is None \
            and prev.flags.writeable and prev.shape == gi.shape and prev.dtype == gi.dtype:
        np.add(prev, gi, out=prev)
        return True
    return False


def _add(buffers, e, nr, g):
    """Accumulate `g` for output `nr` of `e` (out of place: NOTE [Gradient accumulation])."""
    if e.is_node and e.n_outputs > 1:
        _add_to_output(buffers, e, nr, g)
    else:
        prev = buffers.get(e)
        buffers[e] = g if prev is None else prev + g


def _add_to_output(buffers, node, nr, g):
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node.n_outputs
    slots[nr] = g if slots[nr] is None else slots[nr] + g


def _run_node(node, g, xp, create):
    """The node's VJP rules applied to the gradient `g` of its output(s)."""
    multi = node.n_outputs > 1
    if g is None or (multi and all(x is None for x in g)):
        return (None,) * len(node.next)
    saved = node.saved
    # (saved_values inlined for the common case: nothing saved was written in place since, no create_graph)
    vals = saved if saved is not None and not create and (not node.tensors or node.epoch == _EPOCH[0]) \
        else saved_values(node, create)
    if multi:
        g = tuple(g)
    rules = node.rules
    if rules is None:
        return node.rule_all(xp, g, *vals)
    nxt = node.next
    takes = node.takes
    if takes is not None:  # some rule takes only some of the saved values (NOTE [Rule signatures])
        if len(rules) == 2 and len(takes[0]) == 1 == len(takes[1]):  # (one value each: mul's, dot's)
            (i,), (j,) = takes
            return (None if nxt[0] is None else rules[0](xp, g, vals[i]),
                    None if nxt[1] is None else rules[1](xp, g, vals[j]))
        return [None if e is None else rule(xp, g, *[vals[i] for i in take])
                for rule, e, take in zip(rules, nxt, takes)]
    if len(rules) == 1:
        # Up to two saved values, the arguments are spelled out: a call with *vals builds a tuple that
        # holds g, and rules that may write into g count its references (NOTE [Reusing temporaries]).
        if not vals:
            return (rules[0](xp, g),)
        if len(vals) == 1:
            return (rules[0](xp, g, vals[0]),)
        return (rules[0](xp, g, *vals),)
    if len(rules) == 2:
        return (None if nxt[0] is None else rules[0](xp, g, *vals),
                None if nxt[1] is None else rules[1](xp, g, *vals))
    return [None if e is None else rule(xp, g, *vals) for rule, e in zip(rules, nxt)]


def _run_checked(node, g, xp, create, senders):
    """_run_node under anomaly mode: name the forward call behind an error or a NaN gradient."""
    from .autograd.anomaly_mode import report  # (dxdy.autograd imports this module)
    try:
        grads_in = _run_node(node, g, xp, create)
    except Exception:
        report(node)
        raise
    if _anomaly.check_nan:
        for i, gi in enumerate(grads_in):
            a = None if gi is None else np.asarray(gi._data if create else gi)
            if a is not None and np.isnan(a).any():
                report(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output."
                                   + _zero_times_infinity(node, g, a, senders, create))
    return grads_in


def _zero_times_infinity(node, g, nan_grad, senders, create):
    """The second line of a NaN error when the NaN is 0 * inf: the `where` trap (NOTE [Errors that teach])."""
    if g is None or isinstance(g, (tuple, list)):
        return ""
    incoming = np.asarray(g._data if create else g)
    if incoming.shape != nan_grad.shape or not (incoming[np.isnan(nan_grad)] == 0).all():
        return ""
    name = node.name()
    where = next((s.name() for s in senders if s.name().startswith("WhereBackward")), None)
    if where is None:
        return (f"\nTo fix: {name} got a zero gradient where its result does not matter, but its own derivative "
                f"is infinite or undefined there, and 0 * inf = nan. Keep its input where the derivative is "
                f"finite.")
    return (f"\nTo fix: {where} sent {name} a zero gradient for the elements where its condition chose the "
            f"other branch, but {name}'s own derivative is infinite or undefined there, and 0 * inf = nan: "
            f"where() cannot hide an unsafe branch. Keep the unsafe op's input safe instead, e.g. "
            f"dxdy.where(x > 0, dxdy.sqrt(dxdy.where(x > 0, x, 1.0)), 0.0).")


def _conform(xp, g, meta, create):
    """Sum a gradient back to its input's broadcast shape and cast it to the input's dtype."""
    shape, dtype = meta
    a = g._data if create else g
    if a.shape != shape:
        g = xp.sum_to_size(g, shape)
    if a.dtype != dtype:
        g = xp.astype(g, dtype)
    return g


def _as_tensor(g):
    return g if isinstance(g, Tensor) else wrap(g)


def _run_tensor_hooks(hooks, g, foreign):
    """Apply a dict of hooks to one gradient; a hook's non-None result replaces it.

    Where no gradient came (None: maybe a zero), only hooks that ask for it (`sees_none`) run.
    """
    if g is None or not hooks:
        for fn in list(hooks.values()) if hooks else ():
            if getattr(fn, "sees_none", False):
                fn(None)
        return g
    create = isinstance(g, Tensor)
    t = _as_tensor(g)
    for fn in list(hooks.values()):
        r = fn(t)
        if r is not None:
            if not isinstance(r, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
            _check_hook_value(fn, t, r)
            t = r
    if create:
        return t
    foreign.add(id(t._data))
    return t._data


def _pre_hooks(node, g, foreign, executes):
    """The tensor hooks of the node's outputs, retain_grad, and (when the node will run) its pre-hooks."""
    hooks = node.hooks
    if node.n_outputs == 1:
        if 0 in hooks.tensor:
            g = _run_tensor_hooks(hooks.tensor[0], g, foreign)
        if 0 in hooks.retain and g is not None:
            hooks.retain[0](_as_tensor(g))
        if hooks.pre and executes:
            g = _run_node_prehooks(hooks.pre, (g,), foreign)[0]
        return g
    g = list(g) if g is not None else [None] * node.n_outputs
    for nr, hs in hooks.tensor.items():
        g[nr] = _run_tensor_hooks(hs, g[nr], foreign)
    for nr, retain in hooks.retain.items():
        if g[nr] is not None:
            retain(_as_tensor(g[nr]))
    if hooks.pre and executes:
        g = list(_run_node_prehooks(hooks.pre, tuple(g), foreign))
    return g


def _run_node_prehooks(hooks, gs, foreign):
    create = any(isinstance(x, Tensor) for x in gs)
    ts = tuple(None if x is None else _as_tensor(x) for x in gs)
    for fn in list(hooks.values()):
        ts = _hook_result(fn, ts, fn(ts))
    if create:
        return ts
    out = tuple(None if t is None else t._data for t in ts)
    foreign.update(id(a) for a in out if a is not None)
    return out


def _post_hooks(node, grads_in, g, foreign):
    # As next_functions, grad_inputs leaves out inputs that can never have a gradient (a condition, an index).
    rules = node.rules
    shown = range(len(grads_in)) if rules is None else [i for i, r in enumerate(rules) if r is not None]
    gi = tuple(None if grads_in[i] is None else _as_tensor(grads_in[i]) for i in shown)
    go = tuple(None if x is None else _as_tensor(x) for x in (g if node.n_outputs > 1 else (g,)))
    create = any(isinstance(x, Tensor) for x in grads_in)
    for fn in list(node.hooks.post.values()):
        gi = _hook_result(fn, gi, fn(gi, go))
    out = list(grads_in)
    for i, t in zip(shown, gi):
        out[i] = t if create or t is None else t._data
    if not create:
        foreign.update(id(a) for a in out if a is not None)
    return out


def _hook_name(fn):
    return getattr(fn, "__name__", repr(fn))


def _hook_result(fn, values, result):
    """A node hook's result checked as PyTorch checks it: None (keep `values`) or a tuple like them."""
    if result is None:
        return values
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(values):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values (got {len(result)}, "
                           f"but expected {len(values)})")
    for v, r in zip(values, result):
        if v is None:
            if r is not None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
        elif r is not None:
            if not isinstance(r, Tensor):
                raise TypeError(f"expected Variable (got '{type(r).__name__}') for return value")
            _check_hook_value(fn, v, r)
    return result


def _check_hook_value(fn, old, new):
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    if new._data.dtype != old._data.dtype:
        was, got = _dt.legacy_type_name(old._data.dtype), _dt.legacy_type_name(new._data.dtype)
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was dxdy.{was} got dxdy.{got})")


def _capture(node, g, wanted, captured, accumulate, create):
    """Gradients of non-leaf inputs of grad() / backward(inputs=...): taken as they arrive."""
    for k, t in wanted:
        gk = g[t._nr] if node.n_outputs > 1 and g is not None else g
        if gk is None:
            continue
        if accumulate:
            _store_grad(t, gk, create, set())
        else:
            captured[k] = _as_tensor(gk)


def _reach_leaf(leaf, g, targets, captured, accumulate, create, foreign):
    """All gradients for `leaf` have arrived: run its hooks, then store or capture the total."""
    hooks = None if leaf._extra is None else leaf._extra.hooks  # (graph.TensorHooks)
    if hooks is not None and hooks.grad is not None:
        g = _run_tensor_hooks(hooks.grad, g, foreign)
    if targets is not None:
        wanted = targets.get(leaf)
        if wanted is None:
            return
        if not accumulate:
            for k, _ in wanted:
                captured[k] = None if g is None else _as_tensor(g)
            return
    if g is None:
        return
    if hooks is not None and hooks.accumulate_pre:  # AccumulateGrad.register_prehook
        g = _run_node_prehooks(hooks.accumulate_pre, (g,), foreign)[0]
        if g is None:
            return
    _store_grad(leaf, g, create, foreign)
    if hooks is not None and hooks.post_accumulate:
        for fn in list(hooks.post_accumulate.values()):
            fn(leaf)
    if hooks is not None and hooks.accumulate_post:  # AccumulateGrad.register_hook: it has no grad_inputs
        go = (_as_tensor(g),)
        for fn in list(hooks.accumulate_post.values()):
            _hook_result(fn, (), fn((), go))


def _store_grad(t, g, create, foreign):
    """Accumulate `g` into `t.grad` (NOTE [Gradient accumulation])."""
    old = t._grad
    if create:
        # A copy that records CopyBackwards, then out-of-place sums, as PyTorch's AccumulateGrad.
        t._grad = wrap(np.empty_like(g._data)).copy_(g) if old is None else old + g
        return
    if g.dtype != t._data.dtype:  # a leaf's gradient has the leaf's dtype, whatever the rules did
        g = g.astype(t._data.dtype)
    if old is None:
        owned = (isinstance(g, np.ndarray) and g.base is None and g.flags.writeable
                 and id(g) not in foreign)
        t._grad = wrap(g if owned else np.array(g))
        foreign.add(id(t._grad._data))
    elif old.grad_fn is None and old._rg is False and isinstance(old._data, np.ndarray) \
            and old._data.flags.writeable:
        old._data += g
    else:
        t._grad = wrap(np.asarray(old._data + g))
