"""dxdy.autograd.graph: graph nodes and hook handles (defined in dxdy/graph.py)."""
from ..graph import Node, AccumulateGrad, Handle as RemovableHandle, Handle  # noqa: F401
