"""What a node keeps of a saved tensor when pack/unpack hooks are involved.

NOTE [Saved tensor hooks]
Without hooks a node keeps what its rules need raw (NOTE [Saved tensors] in
dxdy/ops/_op.py). While `autograd.graph.saved_tensors_hooks(pack, unpack)` is in
force in a thread, every node an op records there passes each tensor it saved,
and that a rule which will run reads, to the innermost `pack` at once; the node
keeps only pack's result, in a SavedTensor record where the raw value was
(`node.tensors` has None there, and a tensor no rule reads is not kept at all,
as PyTorch saves it only where a gradient needs it). `grad_fn._raw_saved_<name>
.register_hooks(pack, unpack)` does the same for one saved tensor of a node.
Such a node's `epoch` is PACKED, which no tensor.EPOCH equals, so the engine's
inlined fast path hands it to graph.py saved_values, which unpacks each record
(calling `unpack`) every time the rules or `grad_fn._saved_<name>` need it; an
unpacked tensor gets the graph identity of the one packed (its grad_fn and
output number, or the leaf it was). Versions are not checked there: the hooks
own the saved value, as in PyTorch. An op tests one flag for all this
(NOTE [Watching new nodes] in dxdy/mode.py): without hooks nothing else is paid.
"""
import weakref

import numpy as np

from .graph import SECOND_BACKWARD, PACKED, check_versions, saved_values, _needed, _output_again, next_node_number
from .mode import state as _mode, rewatch
from .tensor import Tensor, wrap, version_counter


PACK_IN_PLACE = ("A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook "
                 "cannot be modified by in-place operations as this can lead to unexpected side-effects. Please open "
                 "an issue if you need to perform in-place operations on the input to a pack hook.")
HOOKS_SET = ("Calling register_hooks on a saved tensor whose hooks have already been set. Hint: only one pair of "
             "hooks is allowed at a time.")
FREED = ("Calling register_hooks on a saved tensor after it has been freed. Saved intermediate values of the graph "
         "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
         "through the graph a second time or if you need to access saved variables after calling backward.")


# -- the hooks in force -------------------------------------------------------------------

def push_hooks(pack_hook, unpack_hook):
    if _mode.hooks_disabled is not None:
        raise RuntimeError(_mode.hooks_disabled)
    _mode.saved_hooks += ((pack_hook, unpack_hook),)
    rewatch(+1)


def pop_hooks():
    _mode.saved_hooks = _mode.saved_hooks[:-1]
    rewatch(-1)


def before_write(t):
    """An in-place op is about to write into `t` (called while mode.watch.on)."""
    if _mode.saved_hooks:
        # A node this op records may save t: its pack hook must get t's value before the write (pack_node).
        _mode.writing = (weakref.ref(t), _version(t))
    if _mode.mutation_context is not None:
        _mode.mutation_context.before_write(t)


def _version(t):
    vc = t._vc
    return 0 if vc is None else vc[0]


# -- the record ---------------------------------------------------------------------------

class SavedTensor:
    """One tensor a node saved, held through hooks: what `pack` returned and the `unpack` hook,
    with what makes the unpacked tensor part of the graph again: the grad_fn and output number of
    the tensor packed, or that it was this node's own output, or (weakly) the leaf it was.

    Also what `grad_fn._raw_saved_<name>` returns: for a tensor saved without hooks, a handle
    (`place`: the node, weakly, and where in node.saved) whose register_hooks packs it.
    """

    __slots__ = ("packed", "unpack_hook", "grad_fn", "nr", "leaf", "output", "place", "__weakref__")

    def __init__(self):
        self.packed = self.unpack_hook = self.grad_fn = self.leaf = self.place = None
        self.nr, self.output = 0, False

    def __repr__(self):
        return f"<dxdy._C._autograd.SavedTensor object at {id(self):#x}>"

    def register_hooks(self, pack_hook, unpack_hook):
        """Pack this saved tensor now with `pack_hook`; `unpack_hook` gives it back whenever it is used."""
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("register_hooks(): incompatible function arguments. The following argument types are "
                            "supported:\n    1. (self: dxdy._C._autograd.SavedTensor, arg0: Callable, arg1: "
                            "Callable) -> None")
        node = self.place[0]() if self.place is not None else None
        if node is None or node.saved is None:
            raise RuntimeError(FREED)
        if self.unpack_hook is not None:
            raise RuntimeError(HOOKS_SET)
        _, i, k = self.place
        value, src = node.saved[i], node.tensors[i]
        if k is not None:
            value, src = value[k], (None if src is None else src[k])
        if value.__class__ is SavedTensor:
            raise RuntimeError(HOOKS_SET)
        if src is None or not _needed(node, i, k):  # (a tensor no rule will read is not saved, for PyTorch)
            raise RuntimeError("Calling register_hooks on a saved tensor with value None is forbidden")
        data = wrap(value)  # as in PyTorch, the hook gets the data without its graph identity
        data._vc = src if src.__class__ is list else version_counter(src)
        self._identify(node, src, k or 0)
        self.packed = _call_pack(pack_hook, data)
        self.unpack_hook = unpack_hook
        _replace(node, i, k, self)

    def _identify(self, node, src, k):
        """Remember where the tensor packed stands in the graph (src: a saved input, or an output's counter)."""
        if src.__class__ is list:
            self.output, self.nr = True, k
        elif src.grad_fn is not None:
            self.grad_fn, self.nr = src.grad_fn, src._nr
        elif src._rg:
            self.leaf = weakref.ref(src)

    def value(self, node, create, rule=True):
        """The unpacked tensor: its array for a plain backward pass, else a tensor of the graph.

        A leaf comes back, for a rule under create_graph, as the result of an identity node on the
        leaf, so that gradients through it reach the leaf; elsewhere (grad_fn._saved_self) as a new
        tensor that requires grad, which prints as PyTorch's.
        """
        t = self.unpack_hook(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                            f"{type(t).__name__}")
        a = t._data
        if not create:
            return a
        if self.output:
            r = wrap(a, node)
            r._nr = self.nr
        elif self.grad_fn is not None:
            r = wrap(a, self.grad_fn)
            r._nr = self.nr
        elif self.leaf is not None:
            leaf = self.leaf()
            if rule and leaf is not None:
                r = _through(a, leaf)
            else:
                r = wrap(a)
                r._rg = True
        else:
            r = wrap(a)
        return r


def _call_pack(pack_hook, t):
    """pack_hook(t) with grad mode off, as PyTorch calls it; refuse a hook that changed t in place."""
    vc = version_counter(t)
    before, grad = vc[0], _mode.grad_enabled
    _mode.grad_enabled = False
    try:
        packed = pack_hook(t)
    finally:
        _mode.grad_enabled = grad
    if vc[0] != before:
        raise RuntimeError(PACK_IN_PLACE)
    return packed


def _replace(node, i, k, record):
    saved, tensors = list(node.saved), list(node.tensors)
    if k is None:
        saved[i], tensors[i] = record, None
    else:
        entry, srcs = list(saved[i]), list(tensors[i])
        entry[k], srcs[k] = record, None
        saved[i], tensors[i] = tuple(entry), tuple(srcs)
    node.saved, node.tensors, node.epoch = tuple(saved), tuple(tensors), PACKED


_Alias = None


def _through(a, leaf):
    """A tensor over `a` whose gradient goes to `leaf` (an identity node between them)."""
    global _Alias
    if _Alias is None:
        from .ops._op import node_class  # (the ops import this module)
        _Alias = node_class("AliasBackward0", (lambda xp, g: g,), ("x",), linear=True)
    n = object.__new__(_Alias)
    n._seq = next_node_number()
    n.next, n.nrs, n.meta, n.hooks = (leaf,), None, None, None
    n.saved = n.tensors = n.versions = ()
    n.epoch = 0
    return wrap(a, n)


# -- packing a node as an op records it ---------------------------------------------------
#
# NOTE [Pack order]
# A node packs (and unpacks) its saved tensors in the order PyTorch's generated node saves them, which
# tests/test_graph_hooks.py checks for the op table. The node class holds that order (`pack_order`,
# positions in `saves`): the order in which the rules name the values, rule by rule, after those a row
# lists in its `pack_order=` where PyTorch's order differs (x ** y: PyTorch saves y first, though x's rule
# names x first).

def pack_node(node, results):
    """Pack what `node` saved with the innermost hooks (NOTE [Saved tensor hooks]).

    `results` are the op's output tensors (a saved result is packed as the output itself).
    """
    pack_hook, unpack_hook = _mode.saved_hooks[-1]
    saved, tensors = list(node.saved), list(node.tensors)
    for i in type(node).pack_order:
        src = tensors[i]
        if src is None:
            continue
        if src.__class__ is tuple:  # the operands of cat, einsum...; or several results
            saved[i] = tuple(_pack(node, i, k, s, v, results, pack_hook, unpack_hook)
                             for k, (s, v) in enumerate(zip(src, saved[i])))
        else:
            saved[i] = _pack(node, i, None, src, saved[i], results, pack_hook, unpack_hook)
        tensors[i] = None
    node.saved, node.tensors, node.epoch = tuple(saved), tuple(tensors), PACKED


def pack_tensor(t, output_nr=None):
    """t packed with the innermost hooks, for a custom Function's save_for_backward (an input, or
    output `output_nr` of the Function's node)."""
    pack_hook, unpack_hook = _mode.saved_hooks[-1]
    record = SavedTensor()
    if output_nr is None:
        record._identify(None, t, 0)
    else:
        record.output, record.nr = True, output_nr
    record.packed = _call_pack(pack_hook, t)
    record.unpack_hook = unpack_hook
    return record


def _pack(node, i, k, src, value, results, pack_hook, unpack_hook):
    if src.__class__ is list:
        t = results[k or 0]
    elif isinstance(src, Tensor):
        t = src
        writing = _mode.writing
        if writing is not None and writing[0]() is src and _version(src) == writing[1]:
            t = src.clone()  # an in-place op is about to overwrite src: PyTorch saves a clone of it too
    else:
        return value  # a number among the operands
    if not _needed(node, i, k):
        return None  # no rule that will run reads it: PyTorch does not save it
    record = SavedTensor()
    record.place = (weakref.ref(node), i, k)
    record._identify(node, src if src.__class__ is list else t, k or 0)
    record.packed = _call_pack(pack_hook, t)
    record.unpack_hook = unpack_hook
    return record


# -- unpacking -----------------------------------------------------------------------------

def unpack_values(node, create):
    """What the rules of a PACKED node receive (graph.py saved_values)."""
    check_versions(node)  # the entries kept raw (register_hooks packed only some)
    saved, tensors = node.saved, node.tensors
    vals = [None] * len(saved)
    for i in type(node).pack_order:
        vals[i] = _entry(node, saved[i], tensors[i], create, 0, True)
    return vals


def unpack_one(node, i):
    """`grad_fn._saved_<name>` of a PACKED node: entry i only."""
    if node.saved is None:
        raise RuntimeError(SECOND_BACKWARD)
    check_versions(node)
    return _entry(node, node.saved[i], node.tensors[i], True, 0, False)


def _entry(node, v, src, create, k, rule):
    if v.__class__ is SavedTensor:
        return v.value(node, create, rule)
    if v.__class__ is tuple and (src.__class__ is tuple or any(e.__class__ is SavedTensor for e in v)):
        srcs = src if src is not None else (None,) * len(v)
        return tuple(_entry(node, e, s, create, j, rule) for j, (e, s) in enumerate(zip(v, srcs)))
    if not create or src is None:
        return v
    if src.__class__ is list:
        return _output_again(node, v, src, k)
    return src


# -- grad_fn._raw_saved_<name> ---------------------------------------------------------------

_handles = weakref.WeakKeyDictionary()  # node -> {(i, k): SavedTensor}, so that each access gives the same object


def raw_saved(node, i, name):
    if type(node).plan[i][0] not in ("input", "inputs", "out"):
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '_raw_saved_{name}'")
    if node.saved is None:
        return _handle(node, i, None)
    value, src = node.saved[i], node.tensors[i]
    if value.__class__ is tuple:
        srcs = src if src is not None else (None,) * len(value)
        return tuple(e if e.__class__ is SavedTensor else _handle(node, i, k) for k, (e, s) in
                     enumerate(zip(value, srcs)))
    if value.__class__ is SavedTensor:
        return value
    if src is None and value is not None:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '_raw_saved_{name}'")
    return _handle(node, i, None)


def _handle(node, i, k):
    handles = _handles.setdefault(node, {})
    h = handles.get((i, k))
    if h is None:
        h = handles[(i, k)] = SavedTensor()
        h.place = (weakref.ref(node), i, k)
    return h


# -- grad_fn._saved_<name>: saved values by PyTorch's names ----------------------------

def saved_attribute(node, name, raw=False):
    """`grad_fn._saved_<name>` with PyTorch's names: self, other, result, self_sym_sizes, parameters.

    With `raw`, `grad_fn._raw_saved_<name>`: the SavedTensor record (dxdy/saved_tensors.py)."""
    names = _rule_names(node)
    base, suffix = (name[:-len("_sym_sizes")], "_shape") if name.endswith("_sym_sizes") else (name, "")
    ours = names.get(base, base) + suffix
    if ours not in node.saves:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{'_raw' if raw else ''}_saved_{name}'")
    i = node.saves.index(ours)
    if raw or node.epoch == PACKED:  # NOTE [Saved tensor hooks]
        if raw:
            return raw_saved(node, i, name)
        v = unpack_one(node, i)  # this one only: each unpack calls the user's hook
    else:
        v = saved_values(node, create=True)[i]
        if node.plan[i][0] in ("input", "out") and node.tensors[i] is not None and not _needed(node, i):
            return None  # no gradient to be computed reads it: PyTorch does not save it
    if isinstance(v, Tensor) and v.grad_fn is node:
        v = wrap(v._data, node)  # a fresh tensor each time, as PyTorch's unpacked saved result
    elif isinstance(v, (int, float, bool, np.number, np.bool_)):
        v = wrap(np.asarray(v))
    return v


def _rule_names(node):
    """PyTorch's saved-attribute names -> the names node's rules use, where they differ."""
    names = {"self": "x", "other": "y", "result": "out"}
    names.update({v: k for k, v in getattr(node, "torch_names", {}).items()})
    return names


def saved_attribute_names(node):
    """The `<name>`s of node's `grad_fn._saved_<name>` attributes (PyTorch's names), in the order it saves them.

    A name may still read back as None (NOTE [Unused saved tensors]), as in PyTorch.
    """
    theirs = {ours: name for name, ours in _rule_names(node).items()}
    found = []
    for ours in node.saves:
        base, suffix = (ours[:-len("_shape")], "_sym_sizes") if ours.endswith("_shape") else (ours, "")
        found.append(theirs.get(base, base) + suffix)
    return found
