"""Graph nodes (what `tensor.grad_fn` holds) and hooks.

Every op defines a Node subclass named as PyTorch names it (MulBackward0, ...);
its instances are the vertices of the backward graph. A node holds:

  next      one entry per op input: the input's node, the input tensor itself
            when it is a leaf that requires grad, or None
  nrs       None, or for each input the output number of its node (only ops with
            several outputs give a number other than 0)
  saved     what the rules need, as raw arrays (NOTE [Rule signatures] in
            dxdy/ops/_op.py); None once released by backward
  tensors   the saved tensor inputs, for create_graph and for version checks
  versions  the versions the saved tensors had (NOTE [Saved tensors] in dxdy/ops/_op.py)
  epoch     tensor.EPOCH when the node was made: unchanged means no version to check
  meta      None, or per input the (shape, dtype) a gradient must be brought to
  hooks     None, or the hooks registered on this node

Leaves are not nodes: the engine accumulates into a leaf directly. AccumulateGrad
objects appear only when `next_functions` is inspected, as in PyTorch's printout.
"""
import itertools
import weakref

from .messages import _modified_message
from .tensor import wrap, EPOCH

# NOTE [Errors that teach]
# The autograd errors users meet most keep PyTorch's type and first line (scripts and
# tests match on them) and add a second line that says how to fix the program.
SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.\n"
    "To fix: pass retain_graph=True to the first call (loss.backward(retain_graph=True)) if you mean to run "
    "backward through this graph again; otherwise recompute the forward pass before the next backward.")


class Handle:
    """Returned by register_hook: `remove()` takes the hook off."""

    _next_id = 0

    __slots__ = ("_hooks", "id")

    def __init__(self, hooks, fn):
        Handle._next_id += 1
        self.id = Handle._next_id
        self._hooks = weakref.ref(hooks) if hooks is not None else None
        hooks[self.id] = fn

    def remove(self):
        hooks = self._hooks() if self._hooks is not None else None
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _HookDict(dict):
    __slots__ = ("__weakref__",)


class NodeHooks:
    """The hooks of one node: tensor pre-hooks per output, node pre-hooks, post-hooks."""

    __slots__ = ("tensor", "retain", "pre", "post")

    def __init__(self):
        self.tensor = {}   # output nr -> {id: fn}, from Tensor.register_hook
        self.retain = {}   # output nr -> RetainGrad, run after the tensor hooks
        self.pre = _HookDict()
        self.post = _HookDict()


class TensorHooks:
    """The hooks a tensor holds itself (NOTE [Tensor extras] in tensor.py); a non-leaf's own live on its node."""

    __slots__ = ("retain_grad", "grad", "post_accumulate", "accumulate_node", "accumulate_pre", "accumulate_post",
                 "accumulate_metadata")

    def __init__(self):
        self.retain_grad = None          # the RetainGrad that retain_grad() added (a non-leaf)
        self.grad = None                 # a leaf's Tensor.register_hook hooks: {id: fn}
        self.post_accumulate = None      # a leaf's register_post_accumulate_grad_hook hooks
        self.accumulate_node = None      # a weak reference to the AccumulateGrad next_functions showed
        self.accumulate_pre = None       # AccumulateGrad.register_prehook hooks
        self.accumulate_post = None      # AccumulateGrad.register_hook hooks
        self.accumulate_metadata = None  # AccumulateGrad.metadata


def tensor_hooks(tensor):
    """The TensorHooks of `tensor`, made on first use."""
    extra = tensor._extras()
    if extra.hooks is None:
        extra.hooks = TensorHooks()
    return extra.hooks


# Every node takes the next number when it is made: the backward pass runs the newest ready node first
# (NOTE [Execution order] in engine.py).
next_node_number = itertools.count().__next__


class Node:
    """A vertex of the backward graph, the `grad_fn` of a tensor made by an op."""

    __slots__ = ("next", "nrs", "saved", "tensors", "versions", "epoch", "meta", "hooks", "_seq", "__weakref__")
    is_node = True
    n_outputs = 1
    frees = True
    saves = pack_order = ()  # (an op's node class sets both: ops/_op.py node_class)

    namespace = ""  # PyTorch prefixes the names of its C++-only nodes: "torch::autograd::CopySlices"

    def name(self):
        return self.namespace + type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def next_functions(self):
        # As in PyTorch, inputs that can never have a gradient (a condition, an index) have no entry.
        nrs, rules = self.nrs, getattr(self, "rules", None)
        return tuple((_edge_function(e), 0 if nrs is None or e is None else nrs[i])
                     for i, e in enumerate(self.next) if rules is None or rules[i] is not None)

    @property
    def metadata(self):
        """A dict for the user's own notes about this node (kept while the node lives)."""
        return _metadata.setdefault(self, {})

    def _hooks(self):
        if self.hooks is None:
            self.hooks = NodeHooks()
        return self.hooks

    def register_prehook(self, fn):
        """Call `fn(grad_outputs)` before this node runs; a tuple it returns replaces grad_outputs.

        >>> b = dxdy.zeros(3, requires_grad=True).clone()
        >>> h = b.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
        """
        return Handle(self._hooks().pre, fn)

    def register_hook(self, fn):
        """Call `fn(grad_inputs, grad_outputs)` after this node runs; a tuple it returns replaces grad_inputs.

        grad_inputs has one entry per input of the op (None where no gradient goes), as next_functions.
        """
        return Handle(self._hooks().post, fn)

    def __getattr__(self, attr):
        # PyTorch's `_saved_self`, `_saved_other`, `_saved_result`, `_saved_dim`, ..., and `_raw_saved_self`
        # (a SavedTensor, for register_hooks: dxdy/saved_tensors.py)
        if attr.startswith("_saved_") or attr.startswith("_raw_saved_"):
            from .saved_tensors import saved_attribute  # (saved_tensors.py imports this module)
            raw = attr.startswith("_raw_saved_")
            return saved_attribute(self, attr[len("_raw_saved_" if raw else "_saved_"):], raw=raw)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__name__}' object")


_metadata = weakref.WeakKeyDictionary()


class AccumulateGrad(Node):
    """What `next_functions` shows for a leaf: the node that accumulates into `variable.grad`.

    The engine never meets it (a leaf is its own edge): its hooks and metadata live on the leaf,
    and the engine runs them where it stores into .grad (engine._reach_leaf), not under grad().
    """

    __slots__ = ("variable",)
    namespace = "dxdy::autograd::"

    def __init__(self, variable):
        self.variable = variable

    @property
    def next_functions(self):
        return ()

    @property
    def metadata(self):
        hooks = tensor_hooks(self.variable)
        if hooks.accumulate_metadata is None:
            hooks.accumulate_metadata = {}
        return hooks.accumulate_metadata

    def register_prehook(self, fn):
        """Call `fn((grad,))` before the gradient is added to .grad; a tuple it returns replaces it."""
        hooks = tensor_hooks(self.variable)
        if hooks.accumulate_pre is None:
            hooks.accumulate_pre = _HookDict()
        return Handle(hooks.accumulate_pre, fn)

    def register_hook(self, fn):
        """Call `fn((), (grad,))` after the gradient was added to .grad."""
        hooks = tensor_hooks(self.variable)
        if hooks.accumulate_post is None:
            hooks.accumulate_post = _HookDict()
        return Handle(hooks.accumulate_post, fn)


def _edge_function(edge):
    """The node an edge points to, with an AccumulateGrad standing for a leaf."""
    if edge is None or isinstance(edge, Node):
        return edge
    hooks = tensor_hooks(edge)
    acc = hooks.accumulate_node() if hooks.accumulate_node is not None else None
    if acc is None:
        acc = AccumulateGrad(edge)
        hooks.accumulate_node = weakref.ref(acc)
    return acc


class RetainGrad:
    """The hook retain_grad() adds: store the gradient on the (weakly held) tensor."""

    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = weakref.ref(tensor)

    def __call__(self, grad):
        t = self.tensor()
        if t is None:
            return
        if t._grad is None:
            t._grad = grad.detach().clone() if grad.grad_fn is None else grad.clone()
        else:
            t._grad = t._grad + grad


def add_tensor_prehook(tensor, fn):
    """Register `fn` on the gradient of `tensor` (a leaf or the output `tensor._nr` of its node)."""
    node = tensor.grad_fn
    if isinstance(fn, RetainGrad):
        node._hooks().retain[tensor._nr] = fn
        return fn
    if node is None:
        own = tensor_hooks(tensor)
        if own.grad is None:
            own.grad = _HookDict()
        hooks = own.grad
    else:
        hooks = node._hooks().tensor.setdefault(tensor._nr, _HookDict())
    return Handle(hooks, fn)


# -- Tensor's hook methods (bound in ops/__init__.py: NOTE [Where Tensor's methods come from]) ---------------
def retain_grad(self):
    """Keep .grad on this non-leaf tensor when backward reaches it."""
    if not self._rg:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self.retains_grad:
        return
    tensor_hooks(self).retain_grad = add_tensor_prehook(self, RetainGrad(self))


def register_hook(self, hook):
    """Call `hook(grad)` when the gradient of this tensor is computed; a non-None result replaces it.

    Returns a handle whose remove() takes the hook off.
    """
    if not self._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    return add_tensor_prehook(self, hook)


def register_post_accumulate_grad_hook(self, hook):
    """On a leaf: call `hook(tensor)` after its .grad has been updated."""
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if not self._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    hooks = tensor_hooks(self)
    if hooks.post_accumulate is None:
        hooks.post_accumulate = _HookDict()
    return Handle(hooks.post_accumulate, hook)


# -- saved values, read back --------------------------------------------------------
#
# NOTE [Unused saved tensors]
# A node saves every value its rules name (NOTE [Rule signatures] in ops/_op.py), but
# PyTorch saves x for `x * c` only when c requires grad: changing x in place afterwards
# is then no error. So a saved tensor counts (for that check and for
# grad_fn._saved_<name>) only when a rule that will run, the rule of an input that has
# an edge, names it. A rule that must keep a tensor PyTorch's node saves, without
# reading it, simply names it.

PACKED = -1  # node.epoch of a node that holds SavedTensor records (NOTE [Saved tensor hooks])


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


def _needed(node, i, k=None):
    """Whether saved tensor i (operand k of a `*xs` input) is named by a rule that will run."""
    cls = type(node)
    rules = cls.rules
    if rules is None:
        # A multilinear op's operand k is read only for the other operands' gradients.
        return k is None or not getattr(cls, "multilinear", False) or \
            any(e is not None for j, e in enumerate(node.next) if j != k)
    takes = cls.takes
    return any(rules[j] is not None and edge is not None and (takes is None or i in takes[j])
               for j, edge in enumerate(node.next))


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
            from .saved_tensors import unpack_values
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
