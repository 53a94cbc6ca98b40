"""Pytrees as torch.func sees them: tuples, lists, dicts (and namedtuples, OrderedDicts) nested, with
anything else (a tensor, a number, None) a leaf.

`flatten(tree)` gives the leaves in order and a spec; `unflatten(leaves, spec)` rebuilds the tree.
Two specs are equal when the trees have the same containers (types, keys, lengths) in the same places.
`str(spec)` prints as PyTorch's treespec_pprint: `(*, [*])`, `{'a': *}`.
"""
from collections import OrderedDict


def _is_namedtuple(tree):
    return isinstance(tree, tuple) and hasattr(type(tree), "_fields")


class Spec:
    """A tree's shape: None for a leaf, else (container type, keys or None, the children's specs)."""

    __slots__ = ("kind", "keys", "children")

    def __init__(self, kind=None, keys=None, children=()):
        self.kind, self.keys, self.children = kind, keys, children

    def __eq__(self, other):
        return (isinstance(other, Spec) and self.kind is other.kind and self.keys == other.keys
                and self.children == other.children)

    def __str__(self):
        inner = [str(c) for c in self.children]
        if self.kind is None:
            return "*"
        if self.kind is tuple:
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        if self.kind is list:
            return "[" + ", ".join(inner) + "]"
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(self.keys, inner)) + "}"
        if self.kind is OrderedDict:
            return "OrderedDict([" + ", ".join(f"({k!r}, {c})" for k, c in zip(self.keys, inner)) + "])"
        return f"{self.kind.__name__}(" + ", ".join(f"{k}={c}" for k, c in zip(self.kind._fields, inner)) + ")"


_LEAF = Spec()


def flatten(tree):
    """(the leaves, left to right, and the spec to rebuild the tree with)."""
    leaves = []

    def visit(t):
        kind = type(t)
        if kind in (tuple, list):
            return Spec(kind, None, tuple(visit(c) for c in t))
        if kind in (dict, OrderedDict):
            return Spec(kind, tuple(t), tuple(visit(c) for c in t.values()))
        if _is_namedtuple(t):
            return Spec(kind, None, tuple(visit(c) for c in t))
        leaves.append(t)
        return _LEAF

    return leaves, visit(tree)


def unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s.kind is None:
            return next(it)
        children = [build(c) for c in s.children]
        if s.keys is not None:
            return s.kind(zip(s.keys, children))
        return s.kind(*children) if s.kind not in (tuple, list) else s.kind(children)

    return build(spec)


def tree_map(fn, tree):
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)
