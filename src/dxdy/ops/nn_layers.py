"""More of torch.nn.functional: normalization, embedding, distances, more losses, channel dropout,
convolution and pooling.

Normalization, embedding, convolution and pooling are rows with their own rules and PyTorch's nodes
(NativeLayerNormBackward0, ConvolutionBackward0, ...). The distances, gated units and the losses here are
compositions of differentiable dxdy ops: their gradients of every order are PyTorch's, their grad_fn
names the composition's (the op table marks those rows check_node_name=False).
"""
import functools
import math
import warnings

import numpy as np

from ..dtypes import type_name
from ..creation import _rng, ones_like
from ..mode import no_grad
from ..tensor import Tensor, wrap, _wrap_dim
from ..messages import warn_once
from ._op import op, name_ops
from .promotion import as_operands, broadcast_shape
from ._xp import numpy_ns
from .nn import _reduce, _reduction, _inplace_result, _not_differentiable, logsigmoid, pad
from .nn import _tensors as _two_tensors, _constant_pad, _operands, _reduced, _mean_scale
from .elementwise import _not_implemented, where, xlogy, minimum
from .reduce import mean, _norm_backward1
from .shape import broadcast_tensors


def _tensors(fn, first, *rest):
    """PyTorch's TypeError for a non-tensor argument; only the first is required (the others may be None)."""
    _two_tensors(fn, first)
    for position, (name, v) in enumerate(rest, 2):
        if v is not None and not isinstance(v, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(v).__name__}")


def _size(shape):
    return "dxdy.Size([" + ", ".join(str(n) for n in shape) + "])"


# -- normalization ---------------------------------------------------------------------------------
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last len(normalized_shape) dims (mean 0, biased variance 1), then scale and shift.

    >>> dxdy.nn.functional.layer_norm(dxdy.tensor([[1., 3.]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    _tensors("layer_norm", ("input", input), ("weight", weight), ("bias", bias))
    if not isinstance(normalized_shape, (tuple, list)) and not hasattr(normalized_shape, "__len__"):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(int(n) for n in normalized_shape)
    n = len(shape)
    xs = tuple(input.shape)
    if n == 0 or len(xs) < n or xs[len(xs) - n:] != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size{list(xs)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    if input._data.dtype.kind != "f":
        raise _not_implemented("LayerNormKernelImpl", input._data)
    for t in (weight, bias):
        if t is not None and t._data.dtype != input._data.dtype:
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of {input.dtype.type_name}")
    dims = tuple(range(len(xs) - n, len(xs)))
    dt = input._data.dtype
    w = weight if weight is not None else wrap(np.ones(shape, dt))
    b = bias if bias is not None else wrap(np.zeros(shape, dt))
    return _layer_norm(input, w, b, dims=dims, eps=float(eps))


# One row, PyTorch's node, with the rules written out (the composition would record some ten nodes).
def _standardized(xp, x, dims, eps):
    xc = x - xp.mean(x, axis=dims, keepdims=True)
    # The rounded mean leaves a residue in xc that 1/std magnifies (and that would make the gradient of a
    # shift, exactly 0, rounding noise times rstd**2): subtract the residue's own mean (two-pass, corrected).
    xc = xc - xp.mean(xc, axis=dims, keepdims=True)
    rstd = 1 / xp.sqrt(xp.mean(xc * xc, axis=dims, keepdims=True) + eps)
    return xc * rstd, rstd


def _layer_norm_forward(xp, x, weight, bias, *, dims, eps):
    return xp.asarray(_standardized(xp, x, dims, eps)[0] * weight + bias, x.dtype)


def _layer_norm_vjp_x(xp, g, x, weight, dims, eps):
    xhat, rstd = _standardized(xp, x, dims, eps)
    gw = g * weight
    return rstd * (gw - xp.mean(gw, axis=dims, keepdims=True) - xhat * xp.mean(gw * xhat, axis=dims, keepdims=True))


# Weight and bias broadcast against x (broadcasts=True): the engine sums their gradients over the other dims.
# All three gradients are one PyTorch kernel of the input and the weight (and for layer_norm the bias): its
# node saves them whichever input needs a gradient, so that changing one in place fails backward, and under
# create_graph each gradient depends on them (NOTE [Fused backward kernels]).
def _bn(xp, value, x, weight):
    return xp.fused("native_batch_norm_backward", value, x, weight, zeros=False)


def _ln(xp, value, x, weight, bias):
    return xp.fused("native_layer_norm_backward", value, x, weight, bias, zeros=False)


_NORM_RULES = (lambda xp, g, x, weight, dims, eps: _bn(xp, _layer_norm_vjp_x(xp, g, x, weight, dims, eps), x, weight),
               lambda xp, g, x, weight, dims, eps: _bn(xp, g * _standardized(xp, x, dims, eps)[0], x, weight),
               lambda xp, g, x, weight: _bn(xp, g, x, weight))
_layer_norm = op(
    _layer_norm_forward,
    vjp=(lambda xp, g, x, weight, bias, dims, eps: _ln(xp, _layer_norm_vjp_x(xp, g, x, weight, dims, eps), x, weight,
                                                       bias),
         lambda xp, g, x, weight, bias, dims, eps: _ln(xp, g * _standardized(xp, x, dims, eps)[0], x, weight, bias),
         lambda xp, g, x, weight, bias: _ln(xp, g, x, weight, bias)),
    node="NativeLayerNormBackward0", broadcasts=True)


def _update_running(running, new, momentum):
    if running is not None:
        with no_grad():
            running.copy_(running * (1 - momentum) + new.detach().to(running.dtype) * momentum)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) over the batch and spatial dims.

    Training: batch statistics, and running_mean / running_var (if given) are updated in place with
    `momentum` (the variance unbiased). Evaluation: the running statistics are used.
    """
    _tensors("batch_norm", ("input", input), ("running_mean", running_mean), ("running_var", running_var),
             ("weight", weight), ("bias", bias))
    xs = tuple(input.shape)
    if training and not xs:
        raise IndexError("tuple index out of range")
    if training and math.prod(xs[:1] + xs[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {_size(xs)}")
    if input._data.size == 0:  # as PyTorch: nothing is checked or updated, the (empty) input is scaled
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out + bias[0] if bias is not None else out
    c = xs[1] if len(xs) >= 2 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
        if t is None and not training and name.startswith("running"):
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    if len(xs) < 2:
        _wrap_dim(1, len(xs))  # raises PyTorch's IndexError: there is no channel dim
    if input._data.dtype.kind != "f":
        raise _not_implemented("batch_norm", input._data)
    dims = (0,) + tuple(range(2, len(xs)))
    shape = (1, c) + (1,) * (len(xs) - 2)
    dt = input._data.dtype
    w = weight.reshape(shape) if weight is not None else wrap(np.ones(shape, dt))
    b = bias.reshape(shape) if bias is not None else wrap(np.zeros(shape, dt))
    if training:
        a = input._data
        _update_running(running_mean, wrap(a.mean(dims)), momentum)
        _update_running(running_var, wrap(a.var(dims, ddof=1)), momentum)
        out = _batch_norm(input, w, b, dims=dims, eps=float(eps))
    else:
        mean = running_mean._data.astype(dt).reshape(shape)
        rstd = (1 / np.sqrt(running_var._data.astype(np.float64) + eps)).astype(dt).reshape(shape)
        out = _batch_norm_eval(input, w, b, mean=mean, rstd=rstd)
    # PyTorch's forward takes a weight and bias of any shape with C elements, its backward 1-D ones only.
    if weight is not None and weight.dim() != 1:
        _refuse_backward(out, f"TensorAccessor expected 1 dims but tensor has {weight.dim()}\n"
                              f"batch_norm's backward needs a 1-D weight: pass weight.reshape(-1).")
    elif bias is not None and bias.dim() > 1 and bias.requires_grad:
        _refuse_backward(out, f"Function NativeBatchNormBackward0 returned an invalid gradient at index 2 - got "
                              f"[{c}] but expected shape compatible with {list(bias.shape)}\n"
                              f"batch_norm's backward needs a 1-D bias: pass bias.reshape(-1).")
    return out


def _refuse_backward(out, message):
    """Make a backward pass through `out` raise RuntimeError(message): for calls that PyTorch's forward
    takes and its backward refuses."""
    if out.requires_grad:
        out.register_hook(functools.partial(_raise_runtime_error, message))


def _raise_runtime_error(message, grad):
    raise RuntimeError(message)


# Training: the rules of layer_norm, over the batch and spatial dims. Evaluation: an affine map per channel.
_batch_norm = op(_layer_norm_forward, vjp=_NORM_RULES, node="NativeBatchNormBackward0", broadcasts=True)
_batch_norm_eval = op(
    lambda xp, x, weight, bias, *, mean, rstd: xp.asarray((x - mean) * rstd * weight + bias, x.dtype),
    vjp=(lambda xp, g, x, weight, rstd: _bn(xp, g * weight * xp.asarray(rstd), x, weight),
         lambda xp, g, x, weight, mean, rstd: _bn(xp, g * (x - xp.asarray(mean)) * xp.asarray(rstd), x, weight),
         lambda xp, g, x, weight: _bn(xp, g, x, weight)),
    node="NativeBatchNormBackward0", broadcasts=True, pack_order=("weight", "x"))


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial dims (N, C, *)."""
    _tensors("instance_norm", ("input", input), ("running_mean", running_mean), ("running_var", running_var),
             ("weight", weight), ("bias", bias))
    xs = tuple(input.shape)
    if use_input_stats and math.prod(xs[2:]) == 1:  # (PyTorch's first check, in Python: any input of < 3 dims)
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {_size(xs)}")
    if len(xs) < 2:  # (N, C) is accepted: no spatial dims, which only use_input_stats refuses (above)
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if input._data.dtype.kind != "f":
        raise _not_implemented("batch_norm", input._data)
    n, c = xs[:2]
    # As PyTorch: batch_norm of the input viewed as one sample of N * C channels, viewed back (and so its
    # messages count the parameters repeated N times).
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and n * c and t.numel() != c:
            raise RuntimeError(f"{name} should contain {n * c} elements not {t.numel() * n}")
    flat = input.reshape((1, n * c) + xs[2:])
    w, b = (None if t is None else t.repeat(n) for t in (weight, bias))
    if use_input_stats:
        out = batch_norm(flat, None, None, w, b, True, momentum, eps)
        dims = tuple(range(2, len(xs)))
        a = input._data
        if n * c:
            _update_running(running_mean, wrap(a.mean(dims).mean(0)), momentum)
            _update_running(running_var, wrap(a.var(dims, ddof=1).mean(0)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        out = batch_norm(flat, running_mean.repeat(n), running_var.repeat(n), w, b, False, momentum, eps)
    return out.view(xs)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the channels (dim 1) into num_groups groups; normalize each group of each sample."""
    _tensors("group_norm", ("input", input), ("weight", weight), ("bias", bias))
    xs = tuple(input.shape)
    if len(xs) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {len(xs)}")
    if num_groups <= 0 or xs[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(xs)} and num_groups={num_groups}")
    if input._data.dtype.kind != "f":
        raise _not_implemented("GroupNormKernelImpl", input._data)
    shape = (1, xs[1]) + (1,) * (len(xs) - 2)
    dt = input._data.dtype
    w = weight.reshape(shape) if weight is not None else wrap(np.ones(shape, dt))
    b = bias.reshape(shape) if bias is not None else wrap(np.zeros(shape, dt))
    return _group_norm(input, w, b, groups=(xs[0], num_groups, math.prod(xs[1:]) // num_groups), eps=float(eps))


# layer_norm's rules on x viewed as (N, groups, the rest).
def _group_norm_forward(xp, x, weight, bias, *, groups, eps):
    xhat = xp.reshape(_standardized(xp, xp.reshape(x, groups), (2,), eps)[0], x.shape)
    return xp.asarray(xhat * weight + bias, x.dtype)


def _group_norm_vjp_x(xp, g, x, weight, groups, eps):
    return xp.reshape(_layer_norm_vjp_x(xp, xp.reshape(g * weight, groups), xp.reshape(x, groups), 1, (2,), eps),
                      x.shape)


_group_norm = op(_group_norm_forward,
                 vjp=(_group_norm_vjp_x,
                      lambda xp, g, x, weight, groups, eps:  # (weight named: PyTorch's node saves it)
                          g * xp.reshape(_standardized(xp, xp.reshape(x, groups), (2,), eps)[0], x.shape),
                      lambda xp, g, x, weight: g),  # (x and weight named: PyTorch's node saves them)
                 node="NativeGroupNormBackward0", broadcasts=True, pack_order=("weight", "x"))


# -- embedding -------------------------------------------------------------------------------------
def _embedding_vjp(xp, g, weight_shape, indices, scale):
    if scale is not None:
        g = g * xp.astype(xp.asarray(scale[..., None]), g.dtype)
    return xp.index_add_zeros(weight_shape, g.dtype, (indices,), g)


_embedding = op(lambda xp, weight, *, indices, scale: weight[indices], vjp=_embedding_vjp,
                node="EmbeddingBackward0", saves_index=True)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer indices in `input`: shape input.shape + (embedding_dim,).

    The row at padding_idx gets no gradient; scale_grad_by_freq divides each row's gradient by how
    often its index occurs in `input`.
    """
    if padding_idx and not isinstance(weight, Tensor):  # (PyTorch's Python check asks weight.size(0) first)
        raise AttributeError(f"'{type(weight).__name__}' object has no attribute 'size'")
    for name, position, t in (("weight", 1, weight), ("indices", 2, input)):  # (PyTorch's order of arguments)
        if not isinstance(t, Tensor):
            raise TypeError(f"embedding(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type_name(t)}")
    if max_norm is not None:
        raise NotImplementedError("embedding(max_norm=...) is not supported by dxdy (it renormalizes weight in "
                                  "place); renormalize the weight yourself")
    if sparse:
        raise NotImplementedError("embedding(sparse=True) is not supported by dxdy: sparse gradients")
    if padding_idx:  # (PyTorch checks it first, in Python, with weight.size(0))
        n = weight.shape[_wrap_dim(0, weight.ndim, scalar_ok=False)]
        if padding_idx > 0 and padding_idx >= n or padding_idx < 0 and padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")  # (PyTorch's assert, kept under -O)
        if padding_idx < 0:
            padding_idx = n + padding_idx
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    if n == 0 and input._data.size:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    idx = idx.astype(np.int64)
    scale = None
    if padding_idx is not None or scale_grad_by_freq:
        scale = np.ones(idx.shape)
        if scale_grad_by_freq:
            scale = scale / np.bincount(idx.ravel(), minlength=n)[idx]
        if padding_idx is not None:
            scale = np.where(idx == padding_idx, 0.0, scale)
    return _embedding(weight, indices=idx, scale=scale)


# -- distances and gated units ---------------------------------------------------------------------
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) max(||x2||, eps)) along dim, after broadcasting."""
    _two_tensors("cosine_similarity", ("x1", x1), ("x2", x2))
    a, b = as_operands(x1, x2)
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {a.dtype.type_name}")
    if tuple(a.shape) != tuple(b.shape):
        a, b = broadcast_tensors(a, b)
    d = _wrap_dim(dim, a.ndim)
    # As PyTorch: the norms clamped at eps in place under no_grad, so the clamp passes gradients unchanged.
    na, nb = (_clamped_min(v.norm(2, d, keepdim=True), eps) for v in (a, b))
    return ((a / na) * (b / nb)).sum(d)


def _clamped_min(t, lo):
    """t's values clamped below at lo, with t's gradient (PyTorch's clamp_ under no_grad)."""
    shift = np.maximum(t._data, lo) - t._data
    return t + wrap(shift) if shift.any() else t


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    _two_tensors("pairwise_distance", ("x1", x1), ("x2", x2))
    nd = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if nd and (diff._data.dtype.kind != "f" or (p == -math.inf and diff._data.size == 0)):
        return diff.norm(p, nd - 1, keepdim=keepdim)  # PyTorch's errors
    # PyTorch's call, torch.norm(diff, p, -1), and its node
    return _norm_backward1(diff, ord=float(p), dim=(nd - 1,) if nd else (), keepdim=keepdim)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim)
    if input._data.dtype.kind != "f":
        raise _not_implemented("glu_cpu", input._data)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.narrow(d, 0, n // 2), input.narrow(d, n // 2, n // 2)
    return a * b.sigmoid()


def prelu(input, weight):
    """x where x > 0, else weight * x; weight has one element or one per channel (dim 1)."""
    _two_tensors("prelu", ("input", input), ("weight", weight))
    k = weight.numel()
    if k != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        c = input.shape[1] if input.ndim >= 2 else 1  # (PyTorch's channel dim; a 1-D input has one)
        if k != c:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{k} and channel size = {c}.")
        w = weight.reshape((c,) + (1,) * (input.ndim - 2))
    else:
        w = weight.reshape(())
    return _prelu(input, w)


# One row, as PyTorch's _prelu_kernel: its gradients are one kernel of the input and the weight, so under
# create_graph both depend on both (NOTE [Fused backward kernels]); the weight's is summed to its shape.
def _prelu_kernel(xp, value, x, weight):
    return xp.fused("_prelu_kernel_backward", value, x, weight)


_prelu = op(lambda xp, x, weight: xp.where(x > 0, x, weight * x),
            vjp=(lambda xp, g, x, weight: _prelu_kernel(xp, xp.where(x > 0, g, g * weight), x, weight),
                 lambda xp, g, x, weight: _prelu_kernel(xp, xp.where(x > 0, 0, g * x), x, weight)),
            node="PreluKernelBackward0", broadcasts=True)


# -- losses ----------------------------------------------------------------------------------------
def _check_reduction(reduction, valid=("none", "mean", "sum")):
    if reduction not in valid:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input) (input holds log-probabilities); log_target: target is log-probabilities."""
    _two_tensors("kl_div", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {_size(input1.shape)}, input2: {_size(input2.shape)}, target: "
                           f"{_size(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    _two_tensors("hinge_embedding_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = input * 0
    loss = where(target != 1, (margin - input).clamp_min(0), zeros) + where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input))."""
    _two_tensors("soft_margin_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _not_differentiable("soft_margin_loss", "target", target)
    shape = broadcast_shape(input._data.shape, target._data.shape)
    if shape != input._data.shape:  # (PyTorch's kernel writes the loss into a tensor of the input's shape)
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}")
    x, t = _operands(input, target)
    return _soft_margin(x, t, reduction=reduction)


# PyTorch's formulas, log1p(exp(-t x)) and its derivative, overflow included (inf and nan at large |x|).
def _soft_margin_forward(xp, x, t, *, reduction):
    return _reduced(xp, xp.log1p(xp.exp(-t * x)), reduction)


def _soft_margin_vjp(xp, g, x, t, reduction):
    z = xp.exp(-t * x)
    return _mean_scale(x, t, reduction) * g * (-t * z / (1 + z))


_soft_margin = op(_soft_margin_forward, vjp=(_soft_margin_vjp, None), node="SoftMarginLossBackward0", broadcasts=True,
                  pack_order=("t", "x"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance (swap: d(a, n) may be d(p, n))."""
    _two_tensors("triplet_margin_loss", ("anchor", anchor), ("positive", positive), ("negative", negative))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           f"inputs")
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (log_input), else input - target * log(input + eps); full adds Stirling's term."""
    _two_tensors("poisson_nll_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        t = target
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + where(t > 1, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var), var clamped below at eps (the clamp passes gradients).

    var: a float, a tensor of input's shape, of input's shape without its last dim, or of input's shape with
    one dim of size 1 (PyTorch's checks and errors, in its order)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif not isinstance(var, Tensor):  # (PyTorch's any() meets the bool `var < 0`)
        raise TypeError(f"any() received an invalid combination of arguments - got ({type_name(var < 0)}), but "
                        f"expected one of:")
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    xs, vs = tuple(input.shape), tuple(var.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = var.unsqueeze(-1)
        elif len(xs) != len(vs) or sum(v for x, v in zip(xs, vs) if x != v) != 1:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # As PyTorch's clamp_ under no_grad on a clone: the values clamped, the gradient passed as is.
    var = _clamped_min(var.clone(), eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where target is -1."""
    _two_tensors("cosine_embedding_loss", ("input1", input1), ("input2", input2), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    t = target.ndim
    if t not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if t == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    d = t
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + 1e-12
    m2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (m1 * m2).sqrt()
    zeros = cos * 0
    loss = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log sigmoid(x) + (1 - t) log sigmoid(-x)), averaged over the classes (the last dim)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


# -- dropout over channels -------------------------------------------------------------------------
def _check_p(p):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input, p, training, inplace, mask_shape):
    if not training or p == 0 or input.numel() == 0:
        return input
    dt = input._data.dtype
    if p == 1:
        mask = np.zeros(mask_shape, dt)
    else:
        mask = (_rng(None).random(mask_shape) >= p).astype(dt) / dt.type(1 - p)
    return _inplace_result(input, input * wrap(mask), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (dim -2 of (N, C, L) or (C, L)) with probability p, scale the rest by 1 / (1 - p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           f"channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if input.ndim == 2:  # unbatched (C, L): as a batch of one, and back (PyTorch's node even when not training)
        return dropout1d(input.unsqueeze(0), p, training, inplace).squeeze(0)
    return _feature_dropout(input, p, training, inplace, tuple(input.shape[:-1]) + (1,))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability p (PyTorch's 3-D quirk kept)."""
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an "
                      f"error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      f"inputs).", UserWarning, stacklevel=2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", UserWarning, stacklevel=2)
    if nd < 2 and training and p not in (0, 1) and input.numel():  # (PyTorch's result is ready before this check)
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _feature_dropout(input, p, training, inplace, tuple(input.shape[:2]) + (1,) * (nd - 2))


_SELU_NEG_SATURATION = 1.7580993408473766  # SELU's alpha * scale


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalizing mean and variance: dropped units take SELU's saturation value."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    dt = input._data.dtype
    if p == 1:
        return _inplace_result(input, input * 0, inplace)
    keep = (_rng(None).random(input.shape) >= p).astype(dt)
    alpha = _SELU_NEG_SATURATION
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = (keep - 1) * (alpha * a) + alpha * a * p
    return _inplace_result(input, input * wrap((keep * a).astype(dt)) + wrap(b.astype(dt)), inplace)


# -- convolution and pooling -----------------------------------------------------------------------
def _tuple(v, n, name="kernel_size"):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={list(v)}")
    return v


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups):
    _tensors(name, ("input", input), ("weight", weight), ("bias", bias))
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(input.shape)}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    if weight.ndim != nd + 2:
        raise RuntimeError("weight should have at least three dimensions")
    stride, dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
    kernel = tuple(weight.shape[2:])
    if not isinstance(padding, str) and min(_tuple(padding, nd, "padding")) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) < 0:
        raise RuntimeError("dilation should be greater than zero")
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads, odd = [], []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total // 2))
                odd.append(total % 2)
            if any(odd):  # as PyTorch: an odd total's extra element padded explicitly, on the right
                warn_once("Using padding='same' with even kernel lengths and odd dilation may require a "
                          "zero-padded copy of the input be created", stacklevel=3)
                x = pad(x, tuple(p for r in reversed(odd) for p in (0, r)))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = [(p, p) for p in _tuple(padding, nd, "padding")]
    n, c = x.shape[:2]
    o = weight.shape[0]
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if o < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got "
                           f"weight of size {list(weight.shape)} instead")
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(weight.shape)}] instead")
    if weight.shape[1] * groups != c:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {c} channels "
                           f"instead")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {o} "
                           f"elements, but got bias of size {list(bias.shape)} instead")
    padded = [x.shape[2 + i] + pads[i][0] + pads[i][1] for i in range(nd)]
    eff = [dilation[i] * (kernel[i] - 1) + 1 for i in range(nd)]
    if any(padded[i] < eff[i] for i in range(nd)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size")
    if min(dilation) == 0:  # (PyTorch's kernel checks this last, naming the dilation of a 2-D convolution)
        raise RuntimeError(f"dilation should be greater than zero, but got {[1] * (2 - nd) + list(dilation)}")
    out_sizes = tuple((padded[i] - eff[i]) // stride[i] + 1 for i in range(nd))
    flat = tuple(p for pair in reversed(pads) for p in pair)
    if weight._data.dtype != x._data.dtype:
        raise RuntimeError(f"expected scalar type {x.dtype.type_name} but found {weight.dtype.type_name}")
    if bias is not None and bias._data.dtype != x._data.dtype:
        raise RuntimeError(f"Input type ({x._data.dtype.name.replace('float64', 'double').replace('32', '')}) and "
                           f"bias type ({bias._data.dtype.name.replace('float64', 'double').replace('32', '')}) "
                           f"should be the same")
    b = bias if bias is not None else wrap(np.zeros(o, x._data.dtype))
    cfg = (kernel, stride, dilation, flat, groups, out_sizes)
    out = _convolution(x, weight, b, cfg=cfg)
    return out.squeeze(0) if unbatched else out


# NOTE [Convolution by gathering windows]
# The padded input's windows, gathered by one advanced index into (N, C, o_0, k_0, o_1, k_1, ...), contract
# with the weight (per group) in one einsum. The input's gradient is the transpose: the windows' gradient
# added back where they were read (a loop of strided slices over the kernel offsets on NumPy), then the
# padding cut. Written against xp, so that create_graph gives the second derivatives.
def _window_key(cfg):
    kernel, stride, dilation, _, _, out_sizes = cfg
    nd = len(kernel)
    key = [slice(None), slice(None)]
    for i in range(nd):
        idx = np.arange(out_sizes[i])[:, None] * stride[i] + np.arange(kernel[i])[None, :] * dilation[i]
        shape = [1] * (2 * nd)
        shape[2 * i], shape[2 * i + 1] = out_sizes[i], kernel[i]
        key.append(idx.reshape(shape))
    return tuple(key)


def _conv_windows(xp, x, cfg):
    """(N, G, C / G, o_0, k_0, ...): the windows of the padded x, by group."""
    flat, groups = cfg[3], cfg[4]
    padded = _constant_pad(xp, x, flat, 0) if any(flat) else x
    win = padded[_window_key(cfg)]
    return xp.reshape(win, (x.shape[0], groups, x.shape[1] // groups) + tuple(win.shape[2:]))


def _conv_subscripts(nd):
    outs, ks = "HWD"[:nd], "hwd"[:nd]
    return "ngc" + "".join(outs[i] + ks[i] for i in range(nd)), "goc" + ks, "ngo" + outs


def _einsum(xp, spec, a, b):
    return np.einsum(spec, a, b, optimize=True) if xp is numpy_ns else xp.einsum(spec, a, b)


def _grouped(xp, a, groups):
    return xp.reshape(a, (groups, a.shape[0] // groups) + tuple(a.shape[1:]))


def _conv_forward(xp, x, weight, bias, *, cfg):
    nd, groups, out_sizes = len(cfg[0]), cfg[4], cfg[5]
    win, w, out = _conv_subscripts(nd)
    o = weight.shape[0]
    y = _einsum(xp, f"{win},{w}->{out}", _conv_windows(xp, x, cfg), _grouped(xp, weight, groups))
    y = xp.reshape(y, (x.shape[0], o) + out_sizes) + xp.reshape(bias, (o,) + (1,) * nd)
    return xp.asarray(y, x.dtype)


def _conv_vjp_x(xp, g, x, weight, cfg):
    if x.shape[0] == 0:  # an empty batch: zeros that depend on nothing, as PyTorch's kernel's (and the weight's)
        return xp.zeros(tuple(x.shape), g.dtype)
    kernel, stride, dilation, flat, groups, out_sizes = cfg
    nd = len(kernel)
    win, w, out = _conv_subscripts(nd)
    n, c = x.shape[:2]
    gg = xp.reshape(g, (n, groups, weight.shape[0] // groups) + out_sizes)
    gwin = _einsum(xp, f"{out},{w}->{win}", gg, _grouped(xp, weight, groups))
    gwin = xp.reshape(gwin, (n, c) + tuple(gwin.shape[3:]))
    return _add_windows(xp, gwin, (n, c) + tuple(x.shape[2:]), cfg)


def _add_windows(xp, gwin, shape, cfg):
    """The transpose of gathering windows: each window's gradient added where it was read, the padding cut."""
    kernel, stride, dilation, flat, _, out_sizes = cfg
    nd = len(kernel)
    padded = tuple(shape[2 + i] + flat[2 * (nd - 1 - i)] + flat[2 * (nd - 1 - i) + 1] for i in range(nd))
    if xp is numpy_ns:
        gpad = np.zeros(tuple(shape[:2]) + padded, gwin.dtype)
        for offsets in np.ndindex(*kernel):
            dst = [slice(None), slice(None)]
            src = [slice(None), slice(None)]
            for i, k in enumerate(offsets):
                start = k * dilation[i]
                dst.append(slice(start, start + (out_sizes[i] - 1) * stride[i] + 1, stride[i]))
                src += [slice(None), k]
            gpad[tuple(dst)] += gwin[tuple(src)]
    else:
        gpad = xp.index_add_zeros(tuple(shape[:2]) + padded, gwin.dtype, _window_key(cfg), gwin)
    return _constant_pad(xp, gpad, tuple(-p for p in flat), 0) if any(flat) else gpad


def _conv_vjp_weight(xp, g, x, weight, cfg):
    if x.shape[0] == 0:
        return xp.zeros(tuple(weight.shape), g.dtype)
    nd, groups, out_sizes = len(cfg[0]), cfg[4], cfg[5]
    win, w, out = _conv_subscripts(nd)
    gg = xp.reshape(g, (x.shape[0], groups, weight.shape[0] // groups) + out_sizes)
    gw = _einsum(xp, f"{win},{out}->{w}", _conv_windows(xp, x, cfg), gg)
    return xp.reshape(gw, weight.shape)


# All three gradients are PyTorch's convolution_backward of (grad, input, weight) (NOTE [Fused backward kernels]).
def _conv_rule(gradient):
    return lambda xp, g, x, weight, cfg: xp.fused("convolution_backward", gradient(xp, g, x, weight, cfg), x, weight,
                                                  zeros=False)


def _conv_vjp_bias(xp, g, x, weight, cfg):
    return xp.sum(g, axis=(0,) + tuple(range(2, g.ndim)))


_convolution = op(_conv_forward,
                  vjp=(_conv_rule(_conv_vjp_x), _conv_rule(_conv_vjp_weight), _conv_rule(_conv_vjp_bias)),
                  node="ConvolutionBackward0")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation of (N, C_in, L) input with (C_out, C_in / groups, K) weight."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of (N, C_in, H, W) input with (C_out, C_in / groups, KH, KW) weight."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _pool_size(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1
    o = (num + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def _pool_setup(input, kernel_size, stride, padding, dilation, ceil_mode):
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _tuple(kernel_size, 2)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _tuple(stride, 2)
    p, d = _tuple(padding, 2), _tuple(dilation, 2)
    for i in range(2):  # PyTorch's checks as it sizes each dim's output, H then W
        if s[i] == 0:
            raise RuntimeError("stride should not be zero")
        if p[i] < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p[i]}")
        if p[i] > int((d[i] * (k[i] - 1) + 1) / 2):  # (C's division, truncating)
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={k[i]} and dilation={d[i]}")
    for what, (a, b), names in (("kernel size", k, ("kH", "kW")), ("stride", s, ("dH", "dW")),
                                ("dilation", d, ("dilationH", "dilationW"))):
        if a <= 0 or b <= 0:
            raise RuntimeError(f"{what} should be greater than zero, but got {names[0]}: {a} {names[1]}: {b}")
    if 0 in input.shape[-3:]:  # an empty batch (dim 0 of a 4-D input) is fine
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(input.shape)}")
    hw = tuple(input.shape[-2:])
    out = tuple(_pool_size(hw[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[-3:]))}). Calculated output size: "
                           f"({input.shape[-3]}x{out[0]}x{out[1]}). Output size is too small")
    # ceil_mode: the last window may run past the padding; pad on the right enough for it
    extra = [max(0, (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - hw[i] - 2 * p[i]) for i in range(2)]
    flat = (p[1], p[1] + extra[1], p[0], p[0] + extra[0])
    return (k, s, d, flat, 1, out), p, hw


def _batched(xp, a, unbatched):
    return xp.expand_dims(a, 0) if unbatched else a


# max_pool2d: the positions of the maxima are found on the arrays; the op reads x there, and its gradient goes
# back to them (the first maximum of a window, as PyTorch's kernel).
_max_pool2d = op(lambda xp, x, *, key: x[key],
                 vjp=lambda xp, g, x, key: xp.fused("max_pool2d_with_indices_backward",
                                                    xp.index_add_zeros(tuple(x.shape), g.dtype, key, g), x),
                 node="MaxPool2DWithIndicesBackward0", saves_index=True)  # PyTorch saves the indices and x


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each kernel_size window (padding counts as -inf); return_indices: flat positions in H * W."""
    cfg, p, hw = _pool_setup(input, kernel_size, stride, padding, dilation, ceil_mode)
    (k, s, d, flat, _, out), unbatched = cfg, input.ndim == 3
    a = _batched(numpy_ns, input._data, unbatched)
    dt = a.dtype
    low = -np.inf if dt.kind == "f" else (False if dt.kind == "b" else np.iinfo(dt).min)
    padded = np.pad(a, ((0, 0), (0, 0), (flat[2], flat[3]), (flat[0], flat[1])), constant_values=low)
    win = padded[_window_key(cfg)].transpose(0, 1, 2, 4, 3, 5).reshape(a.shape[:2] + out + (k[0] * k[1],))
    arg = win.argmax(-1)
    row = np.arange(out[0])[:, None] * s[0] - p[0] + (arg // k[1]) * d[0]
    col = np.arange(out[1])[None, :] * s[1] - p[1] + (arg % k[1]) * d[1]
    if unbatched:
        row, col = row[0], col[0]
        key = (np.arange(a.shape[1])[:, None, None], row, col)
    else:
        key = (np.arange(a.shape[0])[:, None, None, None], np.arange(a.shape[1])[None, :, None, None], row, col)
    values = _max_pool2d(input, key=key)
    if not return_indices:
        return values
    return values, wrap((row * hw[1] + col).astype(np.int64))


def _avg_pool_forward(xp, x, *, cfg, divisor, unbatched):
    x4 = _batched(xp, x, unbatched)
    padded = _constant_pad(xp, x4, cfg[3], 0) if any(cfg[3]) else x4
    total = xp.sum(padded[_window_key(cfg)], axis=(3, 5))
    out = total / divisor
    return xp.asarray(out[0] if unbatched else out, x.dtype)


def _avg_pool_vjp(xp, g, x_shape, x, cfg, divisor, unbatched):
    (kh, kw), out = cfg[0], cfg[5]
    g4 = _batched(xp, g, unbatched) / xp.asarray(divisor)
    n, c = g4.shape[:2]
    gwin = xp.broadcast_to(xp.reshape(g4, (n, c, out[0], 1, out[1], 1)), (n, c, out[0], kh, out[1], kw))
    gx = _add_windows(xp, gwin, (n, c) + tuple(x_shape[-2:]), cfg)
    return xp.fused("avg_pool2d_backward", xp.reshape(gx, x_shape) if unbatched else gx, x)


_avg_pool2d = op(_avg_pool_forward, vjp=_avg_pool_vjp, node="AvgPool2DBackward0")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kernel_size window (count_include_pad: zero padding counts in the divisor)."""
    if input.ndim < 3:  # (PyTorch's avg_pool2d reads input.size(-3) first)
        _wrap_dim(-3, input.ndim, scalar_ok=False)
    cfg, p, hw = _pool_setup(input, kernel_size, stride, padding, 1, ceil_mode)
    k, s, out = cfg[0], cfg[1], cfg[5]
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = np.full(out, divisor_override, np.int64)
    else:
        sizes = []
        for i in range(2):
            start = np.arange(out[i]) * s[i] - p[i]
            end = np.minimum(start + k[i], hw[i] + p[i])
            sizes.append(end - start if count_include_pad else np.minimum(end, hw[i]) - np.maximum(start, 0))
        divisor = sizes[0][:, None] * sizes[1][None, :]
    dt = input._data.dtype
    if dt.kind != "f":  # integer division, truncated (PyTorch's kernel on integers); no gradient
        total = _avg_pool_forward(numpy_ns, input._data.astype(np.int64), cfg=cfg, divisor=1,
                                  unbatched=input.ndim == 3)
        return wrap((np.sign(total) * (np.abs(total) // divisor)).astype(dt))
    return _avg_pool2d(input, cfg=cfg, divisor=divisor.astype(dt), unbatched=input.ndim == 3)


def _adaptive_matrix(n, o, dtype):
    a = np.zeros((o, n), dtype)
    for i in range(o):
        start, end = (i * n) // o, -((-(i + 1) * n) // o)
        a[i, start:end] = 1.0 / (end - start)
    return a


# Adaptive average pooling is linear: out = A_h x A_w^T, with A averaging rows [floor(i H / oh), ceil((i+1) H / oh)).
_adaptive_avg_pool2d = op(
    lambda xp, x, *, ah, aw: xp.asarray(xp.einsum("...hw,ih,jw->...ij", x, ah, aw), x.dtype),
    vjp=lambda xp, g, x, ah, aw: xp.fused("_adaptive_avg_pool2d_backward",
                                          xp.einsum("...ij,ih,jw->...hw", g, xp.asarray(ah), xp.asarray(aw)), x),
    node="AdaptiveAvgPool2DBackward0", linear=True)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size: window i spans [floor(i H / oh), ceil((i + 1) H / oh))."""
    if isinstance(output_size, (tuple, list)) and input.ndim <= len(output_size):  # (PyTorch's Python check)
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    size = _tuple(output_size, 2, "output_size") if not isinstance(output_size, (tuple, list)) else \
        tuple(output_size)
    if len(size) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    h, w = input.shape[-2:]
    oh = h if size[0] is None else int(size[0])
    ow = w if size[1] is None else int(size[1])
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{oh}, {ow}}}")
    dt = input._data.dtype
    if dt.kind != "f":
        raise _not_implemented("adaptive_avg_pool2d", input._data)
    if (oh, ow) == (1, 1):  # PyTorch's shortcut: a mean over the last two dims
        return mean(input, (-2, -1), keepdim=True)
    empty = _empty_dim_message("adaptive_avg_pool2d", "input", input.shape, input.ndim - 2)
    if empty:
        raise RuntimeError(empty)
    out = _adaptive_avg_pool2d(input, ah=_adaptive_matrix(h, oh, dt), aw=_adaptive_matrix(w, ow, dt))
    empty = _empty_dim_message("adaptive_avg_pool2d_backward", "grad_output", out.shape, 1)
    if empty:
        _refuse_backward(out, empty)
    return out


def _empty_dim_message(fn, what, shape, first):
    """PyTorch's error message for an empty dim of `shape` from `first` on (its non-batch dims), or None."""
    i = next((i for i in range(first, len(shape)) if shape[i] == 0), None)
    return None if i is None else (f"{fn}(): Expected {what} to have non-zero size for non-batch dimensions, but "
                                   f"{what} has sizes {list(shape)} with dimension {i} being empty")


name_ops(globals())
