"""Reusing the memory of big arrays that nothing else can see, proved by reference counts.

NOTE [Reusing temporaries]
In `a * b + c` the product is a temporary: nothing but the expression holds it. As
NumPy does for its own temporaries, an op whose rules need neither operand (add,
sub), or element-wise unary ops whose rules need only their result (relu, exp,
tanh), may then write its result into the temporary's array instead of a new one;
backward likewise writes a product into a big gradient only the engine holds.
References prove that nothing else sees the array: a name, a container, a view, a
hook or a node that saved it adds one. A leaf that requires grad is never reused:
the graph shows it (next_functions). Arrays of at most BIG elements are never
reused (an allocation costs less than the checks), and only where
sys.getrefcount counts exactly (REFCOUNTS: CPython before 3.14; ops/_xp.py says
why).

The counts are exact for these call layouts, and only for them; a change to one
(another frame between them, an argument kept in a tuple) must change its count:
  1. unary's `op(input)` called directly (dxdy.exp(t), or t.exp(): the method is
     the op itself) calls unshared_input(x, xa): a temporary x has four references
     (op's parameter and local, this call's parameter, getrefcount's argument),
     its array four (the tensor, op's local, the parameter, the argument).
  2. binary's `op(input, other)` reached through an operator (Tensor.__add__ is
     the op itself, called by the type's slot, which keeps its own reference to
     the operand) calls unshared_left_operand(x, xa, ya): a temporary x has five
     (the slot's, op's parameter and local, this call's parameter, getrefcount's
     argument), its array four.
  3. engine._run_node calls the rule of a single-input op with g spelled out
     (`rule(xp, g)`, `rule(xp, g, vals[0])`: a call with *vals would hold g in a
     tuple), and the rule calls times_constant or times_derivative: g has five
     references (the engine's variable, _run_node's and the rule's parameters,
     this parameter and getrefcount's argument), a saved d five (the saved tuple,
     the rule's parameter, this call's two parameters, the argument).
  4. engine._add_in_place(prev, gi), called by run_backward with the buffer's
     entry: four (the buffer, the caller's variable, this parameter, the
     argument); ops/_xp.py's masked `where` counts g as in layout 3.
"""
import sys

import numpy as np

from ..mode import state as _mode
from ._xp import REFCOUNTS

BIG = 1 << 16  # elements: above this an allocation costs more than the checks
_ndarray = np.ndarray
_int, _float = int, float


def unshared_input(x, xa):
    """Whether unary's input x, of array xa, is a temporary whose array may hold the result (layout 1)."""
    return REFCOUNTS and sys.getrefcount(x) <= 4 and sys.getrefcount(xa) <= 4 and xa.base is None \
        and xa.flags.writeable and xa.dtype.kind == "f" and (x.grad_fn is not None or not x._rg)


def unshared_left_operand(x, xa, ya):
    """Whether binary's left operand x, of array xa, is a temporary whose array may hold x op ya (layout 2)."""
    return REFCOUNTS and sys.getrefcount(x) <= 5 and sys.getrefcount(xa) <= 4 and _writable_as_result(xa, ya) \
        and (x.grad_fn is not None or not x._rg)




def times_constant(g, c):
    """g * c for a constant c, in g's own memory when g is a big gradient only the engine holds.

    The five references then are the engine's variable, _run_node's and the
    rule's parameters, this parameter and getrefcount's argument (layout 3 of
    NOTE [Reusing temporaries]); a hook, a captured gradient or another buffer
    holding g adds one.
    """
    if g.__class__ is _ndarray and g.size > BIG and REFCOUNTS and sys.getrefcount(g) <= 5 and g.base is None \
            and g.flags.writeable and c.__class__ in (int, float):
        return np.multiply(g, c, out=g)
    return g * c


def times_derivative(g, d, a, b):
    """g * d, written into d's memory where no one can miss it, else into a new array.

    d may be reused when it is a big temporary the rule just made, or a saved
    array (exp's d is its result) that this backward pass frees next and that
    nothing else refers to: the saved tuple, the rule's parameter, this call's
    two parameters and getrefcount's argument make five references.
    """
    if d.__class__ is _ndarray and d.size > BIG and d.base is None and d.shape == g.shape \
            and d.dtype == g.dtype and d.flags.writeable:
        if (d is not a and d is not b) or (REFCOUNTS and _mode.consuming and sys.getrefcount(d) <= 5):
            return np.multiply(g, d, out=d)
    return g * d


def first_operand_layout(out, xa):
    # NumPy lays out the result of operands of different layouts in C order, PyTorch in the first operand's
    # (x.T + y is not contiguous in PyTorch): which decides is_contiguous(), view() and contiguous()'s node.
    if xa.shape != out.shape or xa.__class__ is not _ndarray or out.__class__ is not _ndarray:
        return out
    r = np.empty_like(xa, dtype=out.dtype)  # x's order of dims, dense
    if r.strides == out.strides:
        return out
    np.copyto(r, out)
    return r


def _writable_as_result(a, b):
    return a.base is None and a.flags.writeable and a.dtype.kind == "f" and (
        b.__class__ in (_float, _int) or (b.dtype == a.dtype and b.ndim <= a.ndim and
                                          np.broadcast_shapes(a.shape, b.shape) == a.shape))
