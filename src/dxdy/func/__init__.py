"""dxdy.func: torch.func's function transforms, on pytrees of tensors.

So far the reverse-mode ones: `grad`, `grad_and_value`, `vjp` (NOTE [Transform levels] in
dxdy/func/transforms.py says how they nest). Forward mode (`jvp`, `jacfwd`, `linearize`) and `vmap`
(with `jacrev` and `hessian`, which PyTorch builds on it) are not there yet.
"""
from .transforms import grad, grad_and_value, vjp

__all__ = ["grad", "grad_and_value", "vjp"]
