"""Shape, indexing, linear-algebra and nn ops beyond the op table: errors, views, dropout.

Everything is compared with PyTorch run side by side.
"""
import numpy as np
import pytest
import torch

import dxdy

RNG = np.random.default_rng(0)


def z(L, *shape, **kw):
    return L.zeros(*shape, **kw)


# -- errors: PyTorch's exception type and message --------------------------------------------------------
ERRORS = {
    # matmul and friends
    "matmul-2d": lambda L: L.matmul(z(L, 2, 3), z(L, 4, 5)),
    "matmul-1d": lambda L: L.matmul(z(L, 3), z(L, 4)),
    "matmul-mv": lambda L: L.matmul(z(L, 2, 3), z(L, 4)),
    "matmul-vm": lambda L: L.matmul(z(L, 3), z(L, 4, 5)),
    "matmul-folded": lambda L: L.matmul(z(L, 2, 2, 3), z(L, 4, 5)),
    "matmul-folded-vec": lambda L: L.matmul(z(L, 2, 2, 3), z(L, 4)),
    "matmul-batched": lambda L: L.matmul(z(L, 2, 2, 3), z(L, 2, 4, 5)),
    "matmul-batched-vec": lambda L: L.matmul(z(L, 3), z(L, 2, 4, 5)),
    "matmul-batch-broadcast": lambda L: L.matmul(z(L, 2, 2, 3), z(L, 3, 3, 5)),
    "matmul-0d": lambda L: L.matmul(L.tensor(1.0), z(L, 3)),
    "matmul-dtypes": lambda L: L.matmul(z(L, 2, 3), z(L, 3, 2, dtype=L.float64)),
    "mm-shapes": lambda L: L.mm(z(L, 2, 3), z(L, 4, 5)),
    "mm-1d": lambda L: L.mm(z(L, 3), z(L, 3, 5)),
    "bmm-shapes": lambda L: L.bmm(z(L, 2, 2, 3), z(L, 3, 3, 5)),
    "bmm-2d": lambda L: L.bmm(z(L, 2, 3), z(L, 3, 5)),
    "mv-shapes": lambda L: L.mv(z(L, 2, 3), z(L, 4)),
    "dot-sizes": lambda L: L.dot(z(L, 3), z(L, 4)),
    "dot-2d": lambda L: L.dot(z(L, 3, 1), z(L, 3)),
    "dot-dtypes": lambda L: L.dot(z(L, 3), z(L, 3, dtype=L.float64)),
    "outer-2d": lambda L: L.outer(z(L, 2, 3), z(L, 3)),
    "tensordot-sizes": lambda L: L.tensordot(z(L, 2, 3), z(L, 4, 5), 1),
    "einsum-sizes": lambda L: L.einsum("ij,jk->ik", z(L, 2, 3), z(L, 4, 5)),
    "einsum-output": lambda L: L.einsum("ij->ik", z(L, 2, 3)),
    "einsum-output-repeated": lambda L: L.einsum("i,i->ii", z(L, 3), z(L, 3)),
    "einsum-too-few": lambda L: L.einsum("ij,jk", z(L, 2, 3)),
    "einsum-too-many": lambda L: L.einsum("ij", z(L, 3, 3), z(L, 2)),
    "einsum-dims": lambda L: L.einsum("ijk", z(L, 2, 3)),
    "einsum-subscript": lambda L: L.einsum("i1", z(L, 3, 3)),
    "einsum-dtypes": lambda L: L.einsum("ij,i", z(L, 3, 3), z(L, 3, dtype=L.float64)),
    # joining, reshaping, expanding
    "cat-sizes": lambda L: L.cat([z(L, 2, 3), z(L, 2, 4)]),
    "cat-ndims": lambda L: L.cat([z(L, 2, 3), z(L, 3)], 1),
    "cat-empty-list": lambda L: L.cat([]),
    "cat-0d": lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]),
    "cat-dim": lambda L: L.cat([z(L, 2, 3)], 2),
    "stack-sizes": lambda L: L.stack([z(L, 2, 3), z(L, 2, 4)]),
    "stack-empty": lambda L: L.stack([]),
    "reshape-size": lambda L: z(L, 2, 3).reshape(4, 2),
    "reshape-two-unknown": lambda L: z(L, 2, 3).reshape(-1, -1),
    "reshape-unknown": lambda L: z(L, 2, 3).reshape(-1, 4),
    "reshape-ambiguous": lambda L: z(L, 0, 3).reshape(-1, 0),
    "reshape-negative": lambda L: z(L, 2, 3).reshape(-2, 3),
    "view-size": lambda L: z(L, 2, 3).view(4, 2),
    "view-strides": lambda L: z(L, 2, 3).t().view(6),
    "expand-size": lambda L: z(L, 2, 3).expand(4, 3),
    "expand-too-few": lambda L: z(L, 2, 3).expand(3),
    "expand-leading-minus-one": lambda L: z(L, 2, 1).expand(-1, -1, 3),
    "expand-double": lambda L: z(L, 2, 3, dtype=L.float64).expand(3),
    "squeeze-dim": lambda L: z(L, 2, 3).squeeze(2),
    "unsqueeze-dim": lambda L: z(L, 2, 3).unsqueeze(3),
    "transpose-dim": lambda L: z(L, 2, 3).transpose(0, 2),
    "permute-repeated": lambda L: z(L, 2, 3).permute(0, 0),
    "permute-count": lambda L: z(L, 2, 3).permute(0),
    "t-3d": lambda L: z(L, 2, 3, 4).t(),
    "flatten-order": lambda L: z(L, 2, 3).flatten(1, 0),
    "unflatten-sizes": lambda L: z(L, 2, 3).unflatten(1, (2, 2)),
    "unflatten-empty": lambda L: z(L, 2, 3).unflatten(1, ()),
    "repeat-too-few": lambda L: z(L, 2, 3).repeat(2),
    "narrow-range": lambda L: z(L, 2, 3).narrow(0, 1, 2),
    "select-range": lambda L: z(L, 2, 3).select(0, 2),
    "split-sizes": lambda L: z(L, 2, 3).split([1, 2]),
    "chunk-zero": lambda L: z(L, 2, 3).chunk(0),
    "flip-repeated": lambda L: z(L, 2, 3).flip(0, 0),
    "roll-align": lambda L: z(L, 2, 3).roll((1, 2), 0),
    "movedim-count": lambda L: z(L, 2, 3).movedim((0, 1), (1,)),
    # indexing ops
    "index_select-range": lambda L: z(L, 2, 3).index_select(0, L.tensor([2])),
    "index_select-negative": lambda L: z(L, 2, 3).index_select(1, L.tensor([-1])),
    "index_select-float": lambda L: z(L, 2, 3).index_select(0, L.tensor([0.0])),
    "index_select-2d": lambda L: z(L, 2, 3).index_select(0, L.tensor([[0]])),
    "index_select-scalar": lambda L: L.tensor(1.0).index_select(0, L.tensor([0, 0])),
    "gather-range": lambda L: z(L, 2, 3).gather(1, L.tensor([[3]])),
    "gather-negative": lambda L: z(L, 2, 3).gather(1, L.tensor([[-1]])),
    "gather-ndims": lambda L: z(L, 2, 3).gather(1, L.tensor([1])),
    "scatter-range": lambda L: z(L, 2, 3).scatter(1, L.tensor([[3]]), z(L, 2, 3)),
    "scatter-dtypes": lambda L: z(L, 2, 3).scatter(1, L.tensor([[1]]), z(L, 2, 3, dtype=L.float64)),
    "masked_fill-float-mask": lambda L: z(L, 2, 3).masked_fill(L.ones(2, 3), 1.0),
    "masked_fill-long-mask": lambda L: z(L, 2, 3).masked_fill(L.ones(2, 3, dtype=L.int64), 1.0),
    "masked_fill-value-dims": lambda L: z(L, 2, 3).masked_fill(L.ones(3, dtype=L.bool), z(L, 3)),
    "masked_fill-broadcast": lambda L: z(L, 2, 3).masked_fill(L.ones(4, dtype=L.bool), 1.0),
    "masked_select-broadcast": lambda L: z(L, 2, 3).masked_select(L.ones(4, dtype=L.bool)),
    "masked_select-float-mask": lambda L: z(L, 2, 3).masked_select(L.ones(2, 3)),
    "take_along_dim-ndims": lambda L: L.take_along_dim(z(L, 2, 3), L.tensor([1]), 1),
    "take_along_dim-float": lambda L: L.take_along_dim(z(L, 2, 3), L.tensor([[1.0]]), 1),
    # diagonals and matrices
    "trace-3d": lambda L: L.trace(z(L, 2, 3, 4)),
    "diagonal-dims": lambda L: L.diagonal(z(L, 2, 3), 0, 1, 1),
    "diag-3d": lambda L: L.diag(z(L, 2, 2, 2)),
    "diag_embed-dims": lambda L: L.diag_embed(z(L, 3), 0, 0, 0),
    "tril-1d": lambda L: L.tril(z(L, 3)),
    "det-square": lambda L: L.det(z(L, 2, 3)),
    "det-1d": lambda L: L.det(z(L, 3)),
    "inv-square": lambda L: L.linalg.inv(z(L, 2, 3)),
    "solve-shapes": lambda L: L.linalg.solve(L.eye(3), z(L, 4)),
    "solve-matrix-shapes": lambda L: L.linalg.solve(z(L, 2, 3, 3), z(L, 2, 4)),
    "solve-batch": lambda L: L.linalg.solve(z(L, 2, 3, 3), z(L, 3, 3, 1)),
    "solve-dtypes": lambda L: L.linalg.solve(L.eye(3), z(L, 3, dtype=L.float64)),
    # nn
    "nll-target-bounds": lambda L: L.nn.functional.nll_loss(z(L, 2, 3), L.tensor([0, 3])),
    "nll-batch": lambda L: L.nn.functional.nll_loss(z(L, 2, 3), L.tensor([0, 1, 2])),
    "nll-float-target": lambda L: L.nn.functional.nll_loss(z(L, 2, 3), L.tensor([0.0, 1.0])),
    "nll-weight-size": lambda L: L.nn.functional.nll_loss(z(L, 2, 3), L.tensor([0, 1]), weight=L.ones(2)),
    "nll-weight-grad": lambda L: L.nn.functional.nll_loss(z(L, 2, 3, requires_grad=True), L.tensor([0, 1]),
                                                          weight=L.ones(3, requires_grad=True)),
    "cross_entropy-weight-grad": lambda L: L.nn.functional.cross_entropy(
        z(L, 2, 3, 2, requires_grad=True), L.tensor([[0, 1], [1, 1]]), weight=L.ones(3, requires_grad=True)),
    "cross_entropy-smoothing": lambda L: L.nn.functional.cross_entropy(z(L, 2, 3), L.tensor([0, 1]),
                                                                       label_smoothing=1.5),
    "bce-weight-grad": lambda L: L.nn.functional.binary_cross_entropy(
        L.full((2,), 0.5, requires_grad=True), L.ones(2), weight=L.ones(2, requires_grad=True)),
    "bce-logits-weight-grad": lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        z(L, 2, requires_grad=True), L.ones(2), pos_weight=L.ones(2, requires_grad=True)),
    "bce-range": lambda L: L.nn.functional.binary_cross_entropy(L.full((2,), 1.5), L.ones(2)),
    "bce-sizes": lambda L: L.nn.functional.binary_cross_entropy(L.full((2,), 0.5), L.ones(3)),
    "dropout-p": lambda L: L.nn.functional.dropout(z(L, 2), 1.5),
    "softmax-int": lambda L: L.nn.functional.softmax(L.ones(3, dtype=L.int64), 0),
    "softmax-int-dim0": lambda L: L.nn.functional.softmax(L.ones(2, 3, dtype=L.int64), 0),
    "log_softmax-int": lambda L: L.nn.functional.log_softmax(L.ones(2, 3, dtype=L.int64), 1),
    "nll-int32-target": lambda L: L.nn.functional.nll_loss(z(L, 2, 3), L.tensor([0, 1], dtype=L.int32)),
    "nll-target-size": lambda L: L.nn.functional.nll_loss(z(L, 2, 3, 4), L.tensor([0, 1])),
    "bce-logits-sizes": lambda L: L.nn.functional.binary_cross_entropy_with_logits(z(L, 2), L.ones(3)),
    "mv-dtypes": lambda L: L.mv(z(L, 2, 3, dtype=L.float64), z(L, 3)),
    "bmm-dtypes": lambda L: L.bmm(z(L, 2, 2, 3), z(L, 2, 3, 3, dtype=L.float64)),
    "mm-dtypes": lambda L: L.mm(z(L, 2, 3), z(L, 3, 2, dtype=L.int64)),
    "tensordot-dtypes": lambda L: L.tensordot(z(L, 2, 3), z(L, 3, dtype=L.float64), 1),
    "det-int": lambda L: L.det(z(L, 3, 3, dtype=L.int64)),
    "linear-shapes": lambda L: L.nn.functional.linear(z(L, 2, 3), z(L, 4, 5)),
}


def _raised(fn, L):
    with pytest.raises(Exception) as e:
        fn(L)
    return e


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    t, d = _raised(ERRORS[name], torch), _raised(ERRORS[name], dxdy)
    assert d.type.__name__ == t.type.__name__, f"{d.type.__name__}: {d.value}\nvs {t.type.__name__}: {t.value}"
    # (dxdy's messages name its own classes: dxdy.Size where PyTorch's say torch.Size)
    assert str(d.value).replace("dxdy.", "torch.") == str(t.value)


@pytest.mark.parametrize("name, fn", [
    ("inv", lambda L: L.linalg.inv(z(L, 3, 3))),
    ("inverse", lambda L: L.inverse(z(L, 2, 2, 2))),
    ("inv-pivot", lambda L: L.linalg.inv(L.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]))),
    ("inv-batch", lambda L: L.linalg.inv(L.stack([L.eye(2), L.tensor([[1.0, 2.0], [2.0, 4.0]])]))),
    ("solve-batch", lambda L: L.linalg.solve(L.stack([L.eye(3), z(L, 3, 3)]), z(L, 2, 3))),
    ("solve", lambda L: L.linalg.solve(z(L, 3, 3), z(L, 3))),
])
def test_singular_matrices_raise_linalg_error(name, fn):
    t, d = _raised(fn, torch), _raised(fn, dxdy)
    assert isinstance(d.value, dxdy.linalg.LinAlgError) and isinstance(d.value, RuntimeError)
    assert isinstance(t.value, torch.linalg.LinAlgError)
    assert str(d.value) == str(t.value)


# -- views and copies ------------------------------------------------------------------------------------
# Writing into op(x) changes x exactly when PyTorch's op returns a view, and the versions move together.
VIEWS = {
    "reshape": lambda L, x: x.reshape(4, 6),
    "reshape-copy": lambda L, x: x.transpose(0, 2).reshape(-1),
    "view": lambda L, x: x.view(2, 12),
    "view_as": lambda L, x: x.view_as(L.zeros(6, 4)),
    "flatten": lambda L, x: x.flatten(1),
    "ravel-copy": lambda L, x: x.transpose(0, 1).ravel(),
    "unflatten": lambda L, x: x.unflatten(2, (2, 2)),
    "squeeze": lambda L, x: x[:, :1].squeeze(1),
    "unsqueeze": lambda L, x: x.unsqueeze(1),
    "transpose": lambda L, x: x.transpose(0, 2),
    "swapaxes": lambda L, x: x.swapaxes(1, 2),
    "t": lambda L, x: x[0].t(),
    "T": lambda L, x: x[0].T,
    "mT": lambda L, x: x.mT,
    "permute": lambda L, x: x.permute(2, 0, 1),
    "movedim": lambda L, x: x.movedim(0, -1),
    "narrow": lambda L, x: x.narrow(1, 1, 2),
    "select": lambda L, x: x.select(2, 3),
    "split": lambda L, x: x.split(1, 1)[2],
    "split-sizes": lambda L, x: x.split([1, 2], 1)[1],
    "tensor_split": lambda L, x: L.tensor_split(x, 2, 2)[1],
    "chunk": lambda L, x: x.chunk(2, 0)[1],
    "unbind": lambda L, x: x.unbind(1)[1],
    "diagonal": lambda L, x: x.diagonal(0, 1, 2),
    "getitem": lambda L, x: x[1, :, ::2],
    "detach": lambda L, x: x.detach(),
    "flip-copy": lambda L, x: x.flip(0),
    "roll-copy": lambda L, x: x.roll(1, 0),
    "repeat-copy": lambda L, x: x.repeat(1, 1, 2),
    "cat-copy": lambda L, x: L.cat([x, x]),
    "stack-copy": lambda L, x: L.stack([x]),
    "tril-copy": lambda L, x: x.tril(),
    "diag-copy": lambda L, x: L.diag(x[0]),
    "index_select-copy": lambda L, x: x.index_select(0, L.tensor([0])),
    "gather-copy": lambda L, x: x.gather(0, L.zeros(1, 3, 4, dtype=L.int64)),
    "masked_fill-copy": lambda L, x: x.masked_fill(x > 100, 0.0),
    "contiguous-copy": lambda L, x: x.transpose(0, 1).contiguous(),
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_and_versions(name):
    results = []
    for L in (torch, dxdy):
        x = L.tensor(np.arange(24.0).reshape(2, 3, 4))
        y = VIEWS[name](L, x)
        y.mul_(-1)
        results.append((x.tolist(), y.tolist(), x._version, y._version))
    assert results[1] == results[0]


def test_expanded_tensor_cannot_be_written():
    for L in (torch, dxdy):
        y = L.zeros(3, 1).expand(3, 4)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single"):
            y.add_(1)


def test_view_of_a_view_in_graph():
    # An in-place write into a view of a non-leaf rewrites the base's history (CopySlices), as in PyTorch.
    results = []
    for L in (torch, dxdy):
        a = L.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        w = L.tensor(2.0, requires_grad=True)
        b = a * 1
        b.t()[1].mul_(w)
        loss = (b * b).sum()
        results.append((b.tolist(), b.grad_fn.name().replace("torch::", "dxdy::"),
                        [g.tolist() for g in L.autograd.grad(loss, [a, w])]))
    assert results[1] == results[0]


# -- T, mT, and small namespace details -----------------------------------------------------------------
def test_transposes_and_solve_left_false():
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = RNG.standard_normal((2, 4, 3))
    outs = []
    for L in (torch, dxdy):
        A = L.tensor(a, requires_grad=True)
        B = L.tensor(b, requires_grad=True)
        X = L.linalg.solve(A, B, left=False)
        grads = L.autograd.grad((X * X).sum(), [A, B])
        outs.append([X.detach().numpy(), A.mT.detach().numpy(), A[0].T.detach().numpy()] +
                    [g.numpy() for g in grads])
    for d, t in zip(outs[1], outs[0]):
        np.testing.assert_allclose(d, t, rtol=1e-10, atol=1e-12)


# -- dropout ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_keeps_and_scales(p):
    dxdy.manual_seed(0)
    x = dxdy.tensor(RNG.uniform(1.0, 2.0, (100, 100)).astype(np.float32), requires_grad=True)
    y = dxdy.nn.functional.dropout(x, p)
    assert y.dtype == dxdy.float32 and y.shape == x.shape and y.grad_fn.name() == "MulBackward0"
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - (1 - p)) < 0.03
    np.testing.assert_allclose(y.detach().numpy()[kept], x.detach().numpy()[kept] / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / np.float32(1 - p), rtol=1e-6)


def test_dropout_edge_cases():
    x = dxdy.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert dxdy.nn.functional.dropout(x, 0.5, training=False) is x
    assert dxdy.nn.functional.dropout(x, 0.0) is x
    assert dxdy.dropout(x, 0.9, False) is x
    zeros = dxdy.nn.functional.dropout(x, 1.0)
    assert zeros.tolist() == [[0.0, 0.0], [0.0, 0.0]] and zeros.requires_grad
    y = dxdy.tensor([1.0, 2.0, 3.0, 4.0], dtype=dxdy.float64)
    out = dxdy.nn.functional.dropout(y, 0.5, inplace=True)
    assert out is y and out.dtype == dxdy.float64 and set(y.tolist()) <= {0.0, 2.0, 4.0, 6.0, 8.0}
    dxdy.manual_seed(3)
    a = dxdy.nn.functional.dropout(dxdy.ones(50), 0.5)
    dxdy.manual_seed(3)
    b = dxdy.nn.functional.dropout(dxdy.ones(50), 0.5)
    assert a.tolist() == b.tolist()


# -- gradients at kinks (finite differences do not apply there; PyTorch's choice does) -----------------------
@pytest.mark.parametrize("name, fn, values", [
    ("hardtanh", lambda L, x: L.nn.functional.hardtanh(x), [-1.0, 1.0, 0.5, 2.0, -3.0]),
    ("relu6", lambda L, x: L.nn.functional.relu6(x), [0.0, 6.0, 3.0, -1.0, 7.0]),
    ("normalize-zero-row", lambda L, x: L.nn.functional.normalize(x.reshape(1, 5)), [0.0] * 5),
    ("smooth_l1-at-beta", lambda L, x: L.nn.functional.smooth_l1_loss(x, L.zeros(5, dtype=L.float64), beta=1.0),
     [-1.0, 1.0, 0.0, 0.5, 2.0]),
    ("huber-at-delta", lambda L, x: L.nn.functional.huber_loss(x, L.zeros(5, dtype=L.float64), delta=0.5),
     [-0.5, 0.5, 0.0, 0.25, 2.0]),
    ("leaky_relu-at-0", lambda L, x: L.nn.functional.leaky_relu(x, 0.2), [0.0, 1.0, -1.0, 0.0, 2.0]),
    ("elu-at-0", lambda L, x: L.nn.functional.elu(x), [0.0, 1.0, -1.0, 0.0, 2.0]),
    ("max-norm-ties", lambda L, x: L.linalg.vector_norm(x, float("inf")), [2.0, -2.0, 1.0, 0.0, 2.0]),
    ("masked_select-0d", lambda L, x: L.masked_select(x.sum(), L.tensor(True)), [1.0, 2.0, 3.0, 4.0, 5.0]),
])
def test_gradients_at_kinks_match_torch(name, fn, values):
    grads = []
    for L in (torch, dxdy):
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        out = fn(L, x)
        (g,) = L.autograd.grad(out, x, L.ones(tuple(out.shape), dtype=L.float64))
        grads.append(g.tolist())
    assert grads[1] == grads[0]


def test_cross_entropy_with_every_target_ignored():
    results = []
    for L in (torch, dxdy):
        x = L.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
        loss = L.nn.functional.cross_entropy(x, L.tensor([-100] * 4))
        (g,) = L.autograd.grad(loss, x)
        results.append((np.isnan(loss.item()), g.tolist()))
    assert results[1] == results[0] == (True, [[0.0] * 3] * 4)


def test_parameter_matches_torch():
    for L in (torch, dxdy):
        p = L.nn.Parameter(L.tensor([1.0, 2.0]))
        assert isinstance(p, L.nn.Parameter) and isinstance(p, L.Tensor) and p.requires_grad and p.is_leaf
        assert type(p * 2) is L.Tensor and repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
        assert not L.nn.Parameter(L.tensor([1.0]), requires_grad=False).requires_grad
        assert tuple(L.nn.Parameter().shape) == (0,)
        with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype can require"):
            L.nn.Parameter(L.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            p.mul_(2)
