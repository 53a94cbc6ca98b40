"""What the op table cannot see of the nn.functional ops in dxdy/ops/nn_layers.py: running statistics
updated in place, errors and warnings, channel-wise dropout, the embedding's masked gradient."""
import re
import warnings

import numpy as np
import pytest
import torch

import dxdy
import dxdy.nn.functional as F
import torch.nn.functional as TF


def _pair(a):
    return dxdy.tensor(a.copy()), torch.tensor(a.copy())


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_updates_running_stats_in_place(shape):
    rng = np.random.default_rng(0)
    x, xt = _pair(rng.standard_normal(shape))
    rm, rmt = _pair(rng.standard_normal(3))
    rv, rvt = _pair(rng.uniform(0.5, 2, 3))
    version = rm._version
    for _ in range(2):
        out = F.batch_norm(x, rm, rv, training=True, momentum=0.3)
        outt = TF.batch_norm(xt, rmt, rvt, training=True, momentum=0.3)
    np.testing.assert_allclose(out.numpy(), outt.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), rmt.numpy(), rtol=1e-10)
    np.testing.assert_allclose(rv.numpy(), rvt.numpy(), rtol=1e-10)
    assert rm._version > version
    # evaluation mode reads them and leaves them alone
    before = rm.numpy().copy()
    np.testing.assert_allclose(F.batch_norm(x, rm, rv).numpy(), TF.batch_norm(xt, rmt, rvt).numpy(), rtol=1e-10)
    np.testing.assert_array_equal(rm.numpy(), before)


def test_instance_norm_updates_running_stats():
    rng = np.random.default_rng(1)
    x, xt = _pair(rng.standard_normal((2, 3, 4)))
    rm, rmt = _pair(np.zeros(3))
    rv, rvt = _pair(np.ones(3))
    F.instance_norm(x, rm, rv, momentum=0.5)
    TF.instance_norm(xt, rmt, rvt, momentum=0.5)
    np.testing.assert_allclose(rm.numpy(), rmt.numpy(), rtol=1e-10)
    np.testing.assert_allclose(rv.numpy(), rvt.numpy(), rtol=1e-10)


@pytest.mark.parametrize("norm", ["layer", "group"])
def test_normalizing_near_equal_float32_values_is_as_exact_as_float64(norm):
    # Rows equal to 1e-4 of their size: a mean rounded to float32 leaves a residue that 1/std magnifies
    # (PyTorch's float32 result is off by ~1e-3 here). dxdy corrects the mean in a second pass.
    rng = np.random.default_rng(2)
    a = (100 + 0.01 * rng.standard_normal((3, 2, 8))).astype(np.float32)
    def f(lib, x):
        F_ = lib.nn.functional
        return F_.layer_norm(x, (2, 8)) if norm == "layer" else F_.group_norm(x, 1)
    exact = f(torch, torch.tensor(a, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(f(dxdy, dxdy.tensor(a)).numpy(), exact, atol=1e-5)
    # the gradient along a common shift, exactly 0: small beside the derivative's size (rstd ~ 100)
    shift = dxdy.tensor(0.0, requires_grad=True)
    w = dxdy.tensor(rng.standard_normal(a.shape).astype(np.float32))
    (f(dxdy, dxdy.tensor(a) + shift) * w).sum().backward()
    assert abs(shift.grad.item()) < 1e-2


def test_embedding_padding_row_gets_no_gradient():
    w = dxdy.randn(5, 3, requires_grad=True)
    idx = dxdy.tensor([[0, 2], [2, 4]])
    F.embedding(idx, w, padding_idx=2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[2], 0)
    np.testing.assert_array_equal(w.grad.numpy()[0], 1)
    np.testing.assert_array_equal(w.grad.numpy()[1], 0)


def test_embedding_double_backward():
    w = dxdy.randn(5, 3, dtype=dxdy.float64, requires_grad=True)
    idx = dxdy.tensor([1, 1, 3])
    (g,) = dxdy.autograd.grad((F.embedding(idx, w) ** 2).sum(), w, create_graph=True)
    g.sum().backward()
    wt = torch.tensor(w.detach().numpy(), requires_grad=True)
    (gt,) = torch.autograd.grad((TF.embedding(torch.tensor([1, 1, 3]), wt) ** 2).sum(), wt, create_graph=True)
    gt.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy())


def test_embedding_max_norm_is_not_supported():
    with pytest.raises(NotImplementedError, match="max_norm"):
        F.embedding(dxdy.tensor([0]), dxdy.randn(3, 2), max_norm=1.0)


def _bad_calls(lib, F_):
    x = lib.ones(2, 3, 4)
    return [
        lambda: F_.layer_norm(x, (3,)),
        lambda: F_.layer_norm(x, (4,), lib.ones(3)),
        lambda: F_.layer_norm(x, 4),
        lambda: F_.batch_norm(x, None, None, training=False),
        lambda: F_.batch_norm(lib.ones(1, 3), lib.zeros(3), lib.ones(3), training=True),
        lambda: F_.group_norm(x, 2),
        lambda: F_.instance_norm(lib.ones(2, 3, 1)),
        lambda: F_.embedding(lib.tensor([5]), lib.ones(3, 2)),
        lambda: F_.embedding(lib.tensor([1]), lib.ones(3, 2), padding_idx=5),
        lambda: F_.embedding(lib.tensor([1.0]), lib.ones(3, 2)),
        lambda: F_.glu(lib.ones(3)),
        lambda: F_.glu(lib.tensor(1.0)),
        lambda: F_.prelu(x, lib.ones(2)),
        lambda: F_.margin_ranking_loss(lib.ones(3), lib.ones(3), lib.ones(2, 3)),
        lambda: F_.triplet_margin_loss(lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)),
        lambda: F_.cosine_embedding_loss(lib.ones(2, 3), lib.ones(3), lib.ones(2)),
        lambda: F_.gaussian_nll_loss(x, x, lib.ones(5)),
        lambda: F_.gaussian_nll_loss(x, x, -lib.ones(2, 3, 4)),
        lambda: F_.hinge_embedding_loss(x, x, reduction="bad"),
        lambda: F_.kl_div(x, x, reduction="bad"),
        lambda: F_.dropout1d(lib.ones(2), 0.5),
        lambda: F_.dropout2d(x, 1.5),
        lambda: F_.conv2d(lib.ones(1, 3, 4, 4), lib.ones(2, 2, 3, 3)),
        lambda: F_.conv2d(lib.ones(1, 4, 4, 4), lib.ones(3, 2, 3, 3), groups=2),
        lambda: F_.conv2d(lib.ones(1, 3, 2, 2), lib.ones(2, 3, 3, 3)),
        lambda: F_.conv2d(lib.ones(3, 2, 2), lib.ones(2, 3, 3, 3), stride=2, padding="same"),
        lambda: F_.conv2d(lib.ones(2, 2), lib.ones(2, 3, 3, 3)),
        lambda: F_.conv1d(lib.ones(2, 2, 2, 2), lib.ones(2, 2, 3)),
        lambda: F_.max_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2),
        lambda: F_.avg_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2),
        lambda: F_.layer_norm(lib.ones(2, 3, dtype=lib.int64), (3,)),
        lambda: F_.layer_norm(lib.ones(2, 3), (3,), lib.ones(3, dtype=lib.float64)),
        lambda: F_.batch_norm(lib.ones(2, 3, dtype=lib.int64), None, None, training=True),
        lambda: F_.cosine_similarity(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3, dtype=lib.int64)),
        lambda: F_.adaptive_avg_pool2d(lib.ones(1, 1, 4, 4, dtype=lib.int64), 2),
        lambda: F_.glu(lib.ones(2, 4, dtype=lib.int64)),
        lambda: F_.multilabel_soft_margin_loss(lib.tensor(1.0), lib.tensor(1.0)),
        lambda: F_.conv2d(lib.ones(1, 1, 3, 3), lib.ones(1, 1, 2, 2, dtype=lib.float64)),
        lambda: F_.group_norm(lib.ones(2, 4, dtype=lib.int64), 2),
        lambda: F_.conv2d(lib.ones(1, 1, 3, 3), lib.ones(1, 1, 2, 2), lib.ones(1, dtype=lib.float64)),
        lambda: F_.conv2d(lib.ones(1, 1, 3, 3, dtype=lib.float64), lib.ones(1, 1, 2, 2)),
        lambda: F_.instance_norm(lib.ones(2, 3, 4, dtype=lib.int64)),
        lambda: F_.batch_norm(lib.ones(2, 3), lib.zeros(4), lib.ones(4)),
        lambda: F_.batch_norm(lib.ones(2, 3), lib.zeros(3), lib.ones(4), training=True),
        lambda: F_.batch_norm(lib.ones(2, 3), None, None, lib.ones(4), training=True),
        lambda: F_.batch_norm(lib.ones(2, 3), None, None, None, lib.ones(2), training=True),
        lambda: F_.batch_norm(lib.ones(3), lib.zeros(3), lib.ones(3)),
        lambda: F_.batch_norm(lib.ones(3), None, None, training=True),
        lambda: F_.batch_norm(lib.ones(1, 5, 1), None, None, training=True),
        lambda: F_.max_pool2d(lib.ones(1, 0, 2, 2), 1),
        lambda: F_.avg_pool2d(lib.ones(0, 3, 3), 1),
        lambda: F_.adaptive_avg_pool2d(lib.ones(2, 0, 3), 2),
    ]


@pytest.mark.parametrize("k", range(len(_bad_calls(torch, TF))))
def test_errors_match_torch(k):
    with pytest.raises(Exception) as expected:
        _bad_calls(torch, TF)[k]()
    with pytest.raises(type(expected.value)) as got:
        _bad_calls(dxdy, F)[k]()
    want = str(expected.value).replace("torch.", "dxdy.").replace("torch", "dxdy")
    assert str(got.value).replace("torch", "dxdy") == want


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("weight_shape, bias_shape, needs_grad",
                         [((1, 3), None, "input"), ((3, 1), (3,), "weight"), (None, (1, 3), "bias")])
def test_batch_norm_refuses_a_weight_or_bias_not_1d_at_backward(training, weight_shape, bias_shape, needs_grad):
    # PyTorch's forward takes any shape with C elements; its backward refuses.
    def run(lib):
        args = [lib.linspace(-1, 1, 6).reshape(2, 3)] + [lib.ones(s) if s else None for s in (weight_shape, bias_shape)]
        names = ["input", "weight", "bias"]
        args[names.index(needs_grad)].requires_grad_()
        out = lib.nn.functional.batch_norm(args[0], lib.zeros(3), lib.ones(3), args[1], args[2], training)
        out.sum().backward()
    with pytest.raises(RuntimeError) as expected:
        run(torch)
    with pytest.raises(RuntimeError) as got:
        run(dxdy)
    assert str(got.value).splitlines()[0] == str(expected.value).splitlines()[0]
    assert "reshape(-1)" in str(got.value)


@pytest.mark.parametrize("shape, size", [((1, 0, 1, 1), (3, 2)), ((2, 3, 2, 2), (0, 2)), ((0, 2, 2), (0, 1))])
def test_adaptive_avg_pool2d_to_an_empty_output_refuses_backward(shape, size):
    def run(lib):
        x = lib.zeros(shape, requires_grad=True)
        lib.nn.functional.adaptive_avg_pool2d(x, size).sum().backward()
    with pytest.raises(RuntimeError) as expected:
        run(torch)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        run(dxdy)


@pytest.mark.parametrize("shape", [(1, 0, 2, 2), (2, 0, 3)])
def test_adaptive_avg_pool2d_to_1x1_is_a_mean_even_when_empty(shape):
    for lib in (torch, dxdy):
        y = lib.nn.functional.adaptive_avg_pool2d(lib.zeros(shape, requires_grad=True), 1)
        assert type(y.grad_fn).__name__ == "MeanBackward1" and tuple(y.shape) == shape[:-2] + (1, 1)


def test_batch_norm_of_an_empty_input_is_scaled_by_the_weight():
    for lib in (torch, dxdy):
        w = lib.ones(1, 0, requires_grad=True)
        out = lib.nn.functional.batch_norm(lib.ones(1, 0), lib.zeros(3), lib.ones(3), w, w)
        assert out.requires_grad and type(out.grad_fn).__name__ == "AddBackward0"


def test_warnings():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(dxdy.zeros(2, 3), dxdy.ones(2, 3))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(dxdy.ones(2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(dxdy.zeros(2, 3), dxdy.ones(2, 3), reduction="batchmean")
        F.dropout2d(dxdy.ones(2, 3, 4, 5))


@pytest.mark.parametrize("fn, shape", [(F.dropout1d, (8, 50, 6)), (F.dropout1d, (50, 6)),
                                       (F.dropout2d, (8, 50, 3, 4)), (F.dropout2d, (50, 3, 4))])
def test_channel_dropout_drops_whole_channels(fn, shape):
    x = dxdy.ones(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(x, 0.4).numpy()
    spatial = 2 if fn is F.dropout2d and len(shape) == 4 else 1  # (a 3-D input to dropout2d is (N, C, L))
    channels = out.reshape(out.shape[:len(shape) - spatial] + (-1,))
    assert np.all((channels == 0).all(-1) | np.isclose(channels, 1 / 0.6).all(-1))
    assert 0 < (channels == 0).all(-1).mean() < 1
    # Not training: the input itself, except that an unbatched dropout1d input goes through a batch of one
    # and back, as in PyTorch (a new tensor with the same values)
    unbatched = fn is F.dropout1d and len(shape) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a 3-D input to dropout2d warns, as in PyTorch: test_warnings above)
        assert (fn(x, 0.4, training=False) is x) != unbatched


def test_alpha_dropout_keeps_mean_and_variance():
    x = dxdy.randn(200_000, dtype=dxdy.float64)
    out = F.alpha_dropout(x, 0.3, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.3) is x  # training defaults to False


def test_cosine_similarity_at_top_level():
    a, b = dxdy.tensor([[1.0, 0.0]]), dxdy.tensor([[0.0, 2.0]])
    assert dxdy.cosine_similarity(a, b).tolist() == [0.0]


def test_integer_pooling_matches_torch():
    a = np.arange(-8, 17, dtype=np.int64).reshape(1, 1, 5, 5)
    for args in [(3, 2, 1), (2,)]:
        got = F.avg_pool2d(dxdy.tensor(a), *args)
        want = TF.avg_pool2d(torch.tensor(a), *args)
        assert got.dtype == dxdy.int64
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(F.max_pool2d(dxdy.tensor(a), 2).numpy(), TF.max_pool2d(torch.tensor(a), 2).numpy())
