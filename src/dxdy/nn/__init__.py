"""dxdy.nn: the functional namespace (dxdy.nn.functional) and Parameter."""
from . import functional
from .parameter import Parameter
