"""torch.func's reverse-mode transforms, built on dxdy's own autograd: grad, grad_and_value, vjp.

NOTE [Transform levels]
functorch wraps each tensor a transform sees in a wrapper of that transform's level, and each level
records a graph of its own. dxdy keeps its one graph (ordinary autograd) and gives each open
transform a level: a number on a thread-local stack (mode.state.func_levels).

- Entering, each differentiated argument x becomes a new tensor that the level marks as its own
  (`_made_by`, a table beside the tensors). If x requires grad for something outside the transform (a user's tensor,
  or the argument of an enclosing transform) and grad mode was on when the transform was entered,
  the new tensor is `x.view_as(x)`: the inner graph continues into the outer one, which is what lets
  grad(grad(f)) differentiate the inner gradient. Otherwise it is `x.detach().requires_grad_()`.
  Grad mode is on inside: a transform does not obey a no_grad around it, and obeys one inside f.
- The gradient is taken with respect to the new tensors, never x itself, so a tensor captured from
  outside is a constant to this level even when it is the same x (no "perturbation confusion":
  `grad(lambda x: x * grad(lambda y: x + y)(x))(x)` is 1). The backward pass builds a graph
  (create_graph) only when the output depends on something outside.
- Leaving, a result keeps its graph only if it reaches a leaf that requires grad and belongs outside:
  a user's tensor, or the new tensor of a level that is still open below this one (a walk over the
  graph). Else it is detached, so `grad(f)(x).requires_grad` is False, as in PyTorch. A differentiated
  argument returned unchanged comes back as the caller's own tensor.

Where this differs from functorch: inside a nested transform the argument is a view (is_leaf False,
a grad_fn) where functorch shows a leaf; a leaf made with requires_grad=True inside f counts as a
user's tensor, so results that depend on it keep a graph (functorch's do not); and the grad_fn names
of results that keep a graph are those of dxdy's backward formulas, not always PyTorch's.
"""
import functools
import itertools
import weakref

import numpy as np

from .. import mode
from ..tensor import Tensor, wrap
from .pytree import flatten, unflatten, tree_map


# The level that made each tensor a transform made: id(tensor) -> level number, until the tensor dies.
_made_by = {}


def _mark(t, number):
    key = id(t)
    _made_by[key] = number
    weakref.finalize(t, _made_by.pop, key, None).atexit = False


def _belongs_outside(tensors, level):
    """Whether any of the tensors depends on a leaf that requires grad and is neither this level's
    own nor a closed level's (NOTE [Transform levels])."""
    open_levels = mode.state.func_levels
    stack = [t.grad_fn if t.grad_fn is not None else t for t in tensors if t._rg]
    seen = set()
    while stack:
        e = stack.pop()
        if not e.is_node:  # a leaf that requires grad
            owner = _made_by.get(id(e))
            if owner is None or (owner != level and owner in open_levels):
                return True
        elif id(e) not in seen:
            seen.add(id(e))
            stack.extend(n for n in e.next if n is not None)
    return False


class _Level:
    """One open transform: a context that pushes its number and turns grad mode on."""

    _numbers = itertools.count(1)

    def __init__(self):
        self.number = next(_Level._numbers)
        self.outside_records = mode.is_grad_enabled()  # grad mode when entered: may outside see a graph?
        self.callers = {}  # id(new tensor) -> (new tensor, the caller's tensor it stands for)

    def __enter__(self):
        self._grad_mode = mode.enable_grad()
        self._grad_mode.__enter__()
        mode.state.func_levels += (self.number,)
        return self

    def __exit__(self, *exc):
        mode.state.func_levels = tuple(n for n in mode.state.func_levels if n != self.number)
        self._grad_mode.__exit__(*exc)

    def enter(self, x):
        """The level's own tensor standing for the caller's tensor x."""
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if self.outside_records and x._rg:
            new = x.view_as(x)
        else:
            new = x.detach().requires_grad_()
        _mark(new, self.number)
        self.callers[id(new)] = (new, x)
        return new

    def grad(self, outputs, inputs, cotangents=None, create_graph=None, retain_graph=None):
        """autograd.grad of the outputs that require grad, with zeros where an input is not reached."""
        if cotangents is None:
            cotangents = [None] * len(outputs)
        pairs = [(out, g) for out, g in zip(outputs, cotangents) if out._rg]
        grads = [None] * len(inputs)
        if pairs:
            outs, gs = zip(*pairs)
            if create_graph is None:
                create_graph = self.outside_records and _belongs_outside(outs, self.number)
            from .. import autograd
            grads = autograd.grad(outs, inputs, None if all(g is None for g in gs) else gs,
                                  retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
        return [wrap(np.zeros(x._data.shape, x._data.dtype)) if g is None else g for g, x in zip(grads, inputs)]

    def leave(self, t):
        """t as the caller sees it (NOTE [Transform levels])."""
        if not isinstance(t, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
        if id(t) in self.callers:
            return self.callers[id(t)][1]
        if t._rg and not (self.outside_records and _belongs_outside([t], self.number)):
            return t.detach()
        return t


# ---- argnums ---------------------------------------------------------------------------------

def _argnum(argnum, count):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if -count <= argnum < count:
        return argnum % count
    raise RuntimeError(f"Got argnum={argnum}, but only {count} positional inputs")


def _argnums(argnums, count):
    """argnums checked and made non-negative (an int or a tuple of them)."""
    if isinstance(argnums, int):
        return _argnum(argnums, count)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    argnums = tuple(_argnum(a, count) for a in argnums)
    if not argnums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def _replace(args, argnums, new):
    """args with the ones at argnums replaced by `new` (one value, or a tuple for a tuple of argnums)."""
    args = list(args)
    for i, value in zip(argnums, new) if isinstance(argnums, tuple) else ((argnums, new),):
        args[i] = value
    return args


# ---- the transforms --------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux=False):
    """func's gradient with respect to the arguments at argnums, and func's value, as a function.

    >>> x = dxdy.tensor([1.0, 2.0])
    >>> dxdy.func.grad_and_value(lambda x: (x ** 2).sum())(x)
    (tensor([2., 4.]), tensor(5.))
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradient, value, aux = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (gradient, (value, aux)) if has_aux else (gradient, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """func's gradient with respect to the arguments at argnums (pytrees of tensors), as a function.
    Nest it for higher derivatives.

    >>> dxdy.func.grad(dxdy.func.grad(lambda x: x ** 3))(dxdy.tensor(2.0))
    tensor(12.)
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradient, _, aux = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (gradient, aux) if has_aux else gradient
    return wrapper


def _grad_and_value(func, argnums, has_aux, args, kwargs):
    with _Level() as level:
        argnums = _argnums(argnums, len(args))
        diff_args = tuple(args[i] for i in argnums) if isinstance(argnums, tuple) else args[argnums]
        new_args = tree_map(level.enter, diff_args)
        output = func(*_replace(args, argnums, new_args), **kwargs)
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")
            output, aux = output
        if not isinstance(output, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                               f"with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        inputs, spec = flatten(new_args)
        gradient = unflatten([level.leave(g) for g in level.grad([output], inputs)], spec)
        return gradient, level.leave(output), tree_map(level.leave, aux) if has_aux else None


def vjp(func, *primals, has_aux=False):
    """func's output at primals, and a function that maps cotangents shaped like the output to the
    vector-Jacobian products, one per primal (a tuple); with has_aux, func's aux last.

    >>> out, vjp_fn = dxdy.func.vjp(lambda x: x.sin(), dxdy.tensor([0.0, 1.0]))
    >>> vjp_fn(dxdy.ones(2))
    (tensor([1.0000, 0.5403]),)
    """
    with _Level() as level:
        new_primals = tree_map(level.enter, primals)
        out = func(*new_primals)
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) "
                                   "if has_aux is True")
            out, aux = out
            aux = tree_map(level.leave, aux)
        outputs, out_spec = flatten(out)
        if not outputs or (len(outputs) == 1 and outputs[0] is None):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has non-empty output "
                               f"(got output = {outputs})")
        for o in outputs:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"vjp(f, *primals): expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")
        for o in outputs:
            if o._data.dtype.kind not in "fc":
                raise RuntimeError(f"vjp(f, ...): All outputs of f must be floating-point or complex Tensors, "
                                   f"got Tensor with dtype {o.dtype}")
        inputs, in_spec = flatten(new_primals)
        result = unflatten([level.leave(o) for o in outputs], out_spec)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        if create_graph is None:
            create_graph = mode.is_grad_enabled()
        flat, spec = flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {spec}, primal output: {out_spec}")
        grads = level.grad(outputs, inputs, flat, create_graph=create_graph, retain_graph=retain_graph)
        return unflatten([g if not g._rg or _belongs_outside([g], level.number) else g.detach() for g in grads],
                         in_spec)

    return (result, vjp_fn, aux) if has_aux else (result, vjp_fn)
