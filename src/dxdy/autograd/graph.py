"""dxdy.autograd.graph: graph nodes, their hooks, and hooks on what the graph saves.

Nodes and hook handles are defined in dxdy/graph.py, saved-tensor records in
dxdy/saved_tensors.py (NOTE [Saved tensor hooks]); this module is the public face,
with PyTorch's names and behaviour.
"""
import contextlib
import threading
import weakref
from collections import defaultdict
from typing import NamedTuple, Optional

import numpy as np

from ..graph import Node, AccumulateGrad, Handle as RemovableHandle, Handle, _edge_function  # noqa: F401
from ..mode import state as _mode
from ..saved_tensors import SavedTensor, push_hooks, pop_hooks  # noqa: F401
from ..tensor import Tensor, wrap, bump_version

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "register_multi_grad_hook",
           "allow_mutation_on_saved_tensors", "Node", "GradientEdge", "get_gradient_edge", "increment_version"]


# -- gradient edges -------------------------------------------------------------------------

class GradientEdge(NamedTuple):
    """Where the gradient of a tensor arrives in the graph: output `output_nr` of `node`.

    Usable as `inputs=` of autograd.grad and backward, in place of the tensor.
    """

    node: Node
    output_nr: int
    ownership_token: Optional[Node] = None


def get_gradient_edge(tensor):
    """The GradientEdge of `tensor`: its grad_fn (or, for a leaf, its AccumulateGrad) and output number.

    `autograd.grad(loss, get_gradient_edge(x))` equals `autograd.grad(loss, x)`.
    """
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    return GradientEdge(_node_of(tensor), tensor._nr)


def _node_of(t):
    node = t.grad_fn if t.grad_fn is not None else (_edge_function(t) if t._rg else None)
    if node is None:
        raise AssertionError("Expected gradient function to be set")
    return node


def edge_input(edge):
    """What the engine takes for a GradientEdge among grad's or backward's inputs: a leaf's own
    tensor, or a stand-in tensor with the edge's node and output number (it captures by them)."""
    if isinstance(edge.node, AccumulateGrad):
        return edge.node.variable
    t = wrap(np.empty(0), edge.node)
    t._nr = edge.output_nr
    return t


def increment_version(tensor):
    """Record an in-place change that dxdy did not see (a write through .numpy(), say): saved copies of
    `tensor` (or of each tensor of an iterable) then fail backward as after an in-place op."""
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        bump_version(t)


# -- hooks on saved tensors -----------------------------------------------------------------

class saved_tensors_hooks:
    """Context manager: every tensor an op saves for backward inside it goes through `pack_hook`
    at once, and the graph keeps only what pack returned; `unpack_hook(packed)` must give back a
    tensor of the same content whenever backward (or `grad_fn._saved_<name>`) needs it.

    Thread-local; when nested, the innermost pair applies. pack_hook runs with grad mode off and
    must not change its input in place.

    >>> with dxdy.autograd.graph.saved_tensors_hooks(lambda x: x * 4, lambda x: x / 4):
    ...     y = dxdy.ones(3, requires_grad=True).pow(2)
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        push_hooks(self.pack_hook, self.unpack_hook)

    def __exit__(self, *exc):
        pop_hooks()


class save_on_cpu(saved_tensors_hooks):
    """Context manager: keep saved tensors in CPU memory, bring them back to their device for backward.

    dxdy's tensors live in CPU memory already, so, as PyTorch's on a CPU tensor, this keeps the tensor
    itself (`tensor.cpu()` is the tensor); with `pin_memory=True` it keeps a copy, as PyTorch does.
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return tensor.device, (tensor.detach().clone() if pin_memory else tensor.cpu())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Context manager: refuse saved-tensor hooks inside, raising RuntimeError(error_message) where
    a saved_tensors_hooks context is entered (or is open already)."""
    previous = _mode.hooks_disabled
    try:
        _mode.hooks_disabled = error_message
        if _mode.saved_hooks:
            raise RuntimeError(error_message)
        yield
    finally:
        _mode.hooks_disabled = previous


# -- hooks on several gradients --------------------------------------------------------------

class _MultiHandle(RemovableHandle):
    """The handle of register_multi_grad_hook: remove() takes off the hook of every tensor."""

    __slots__ = ("handles",)

    def __init__(self, handles):
        self.handles = tuple(handles)

    def remove(self):
        for h in self.handles:
            h.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call `fn` once per backward pass for the gradients of several tensors.

    mode="all": after the gradients of all of `tensors` that this pass computes have been computed,
    `fn(grads)` with None for those it does not (a tensor off the graph, or not needed for the
    `inputs` of this call). mode="any": `fn(grad)` with the first gradient computed.
    Returns a handle whose remove() takes the hook off.
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    lock = threading.Lock()
    if mode == "any":
        fired = set()  # the passes in which fn ran

        def first(grad):
            task = _mode.task[0]
            with lock:
                if task in fired:
                    return
                fired.add(task)
            fn(grad)
        return _MultiHandle(t.register_hook(first) for t in tensors if t.requires_grad)

    nodes = [_node_of(t) for t in tensors]
    pending = {}  # pass id -> [gradients so far, calls still to come]

    def hook_for(i):
        def hook(grad):
            task_id, reached = _mode.task
            with lock:
                entry = pending.get(task_id)
                if entry is None:
                    # How many of the tensors this pass reaches, hence how many calls to wait for.
                    calls = sum(_reaches(reached, node) for node in nodes)
                    entry = pending[task_id] = [[None] * len(nodes), calls]
                entry[0][i] = grad
                entry[1] -= 1
                done = entry[1] == 0
                if done:
                    del pending[task_id]
            if done:
                fn(entry[0])
        hook.sees_none = True  # a gradient that does not come still counts (engine._run_tensor_hooks)
        return hook

    return _MultiHandle(t.register_hook(hook_for(i)) for i, t in enumerate(tensors))


def _reaches(reached, node):
    return (node.variable if isinstance(node, AccumulateGrad) else node) in reached


# -- mutating saved tensors -------------------------------------------------------------------

class _Handle:
    __slots__ = ("__weakref__",)


class _AllowMutationOnSavedContext:
    """The state of allow_mutation_on_saved_tensors: each saved tensor under a handle, the original
    until something writes into its memory, then a clone taken just before the write."""

    def __init__(self):
        self.cloned = weakref.WeakKeyDictionary()    # handle -> the clone
        self.original = weakref.WeakKeyDictionary()  # handle -> the tensor saved
        self.tid_to_weakhandle = weakref.WeakValueDictionary()  # (tensor, memory, version) -> handle
        self.sid_to_tid = defaultdict(set)  # (memory, version) -> the saved tensors there
        # dxdy's "memory" is the version counter, which views and detach() share with their base.

    def clear(self):
        self.cloned.clear()
        self.original.clear()
        self.tid_to_weakhandle.clear()
        self.sid_to_tid.clear()

    def pack(self, tensor):
        vc = tensor._vc  # made by the pack call (saved_tensors._call_pack)
        sid = (id(vc), vc[0])
        tid = (id(tensor),) + sid
        self.sid_to_tid[sid].add(tid)
        handle = self.tid_to_weakhandle.get(tid)
        if handle is None:  # the same tensor at the same version may be saved more than once
            handle = self.tid_to_weakhandle[tid] = _Handle()
            self.original[handle] = tensor
        return handle

    def unpack(self, handle):
        if not _allow_mutation_enabled:
            raise AssertionError("Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
                                 "in which the graph was originally recorded.")
        if handle in self.cloned:
            return self.cloned[handle]
        if handle not in self.original:
            raise AssertionError("Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
                                 "in which the graph was originally recorded.")
        return self.original[handle]

    def before_write(self, t):
        vc = t._vc
        if vc is None:
            return
        for tid in self.sid_to_tid.get((id(vc), vc[0]), ()):
            handle = self.tid_to_weakhandle.get(tid)
            if handle is None or handle in self.cloned:
                continue  # freed by a backward pass already, or cloned by an earlier write
            self.cloned[handle] = wrap(np.array(self.original[handle]._data))
            del self.original[handle]


_allow_mutation_enabled = False


@contextlib.contextmanager
def allow_mutation_on_saved_tensors():
    """Context manager: a tensor saved for backward inside it may be changed in place; it is cloned
    just before the change, and backward uses the clone. Run forward and backward inside it.

    Yields the context's state (for debugging); it is cleared on exit.
    """
    global _allow_mutation_enabled
    if _allow_mutation_enabled:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    ctx = _AllowMutationOnSavedContext()
    with saved_tensors_hooks(ctx.pack, ctx.unpack):
        previous, _mode.mutation_context = _mode.mutation_context, ctx
        _allow_mutation_enabled = True
        try:
            yield ctx
        finally:
            ctx.clear()
            _allow_mutation_enabled = False
            _mode.mutation_context = previous
