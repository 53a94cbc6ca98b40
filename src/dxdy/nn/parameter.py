"""Parameter: a leaf tensor that requires grad by default, as torch.nn.Parameter."""
import numpy as np

from ..tensor import Tensor, wrap


class Parameter(Tensor):
    """A tensor meant as a trainable weight: a leaf that requires grad unless told otherwise."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        t = object.__new__(cls)
        src = wrap(np.zeros((0,), np.float32)) if data is None else data
        t._data = src._data
        t.grad_fn = None
        t._rg = False
        t._grad = None
        t._vc = None
        t._nr = 0
        t._extra = None
        if requires_grad:
            if t._data.dtype.kind not in "fc":
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            t.requires_grad_(True)
        return t

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        return Parameter(wrap(np.array(self._data)), self._rg)

    def __reduce_ex__(self, protocol):
        return (Parameter, (wrap(np.array(self._data)), self._rg))
