"""Making tensors: dtype inference, factories, ranges, random numbers, legacy constructors."""
import numpy as np
import pytest
import torch

import dxdy


def same(d, t):
    assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy."), (d.dtype, t.dtype)
    assert tuple(d.shape) == tuple(t.shape)
    np.testing.assert_array_equal(np.asarray(d._data), t.numpy())


def raises_like(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as d_err:
        fn(dxdy)
    assert type(d_err.value).__name__ == type(t_err.value).__name__, (d_err.value, t_err.value)
    return d_err.value, t_err.value


DATA = [3, 3.5, True, [1, 2, 3], [1.0, 2], [True, False], [[1, 2], [3, 4]], [[1.5], [2]], [], [[]],
        [1, 2.5, True], np.float32(2.5), (1, 2), [np.int64(3), 4]]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_dtype_like_torch(data):
    same(dxdy.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                                   "bool"])
def test_tensor_with_dtype_and_from_numpy_arrays(dtype):
    a = np.array([[0, 1], [2, 3]]).astype(dtype)
    same(dxdy.tensor(a), torch.tensor(a))
    same(dxdy.from_numpy(a), torch.from_numpy(a))
    same(dxdy.tensor([0, 1, 2], dtype=getattr(dxdy, dtype)), torch.tensor([0, 1, 2], dtype=getattr(torch, dtype)))


def test_python_type_dtypes():
    for py, name in ((float, "float64"), (int, "int64"), (bool, "bool")):
        assert dxdy.tensor([1, 2], dtype=py).dtype == getattr(dxdy, name)
        assert dxdy.zeros(2, dtype=py).dtype == getattr(dxdy, name)
    assert dxdy.float is dxdy.float32 and dxdy.double is dxdy.float64 and dxdy.long is dxdy.int64


def test_tensor_copies_but_as_tensor_and_from_numpy_share():
    a = np.zeros(3)
    t, s, f = dxdy.tensor(a), dxdy.as_tensor(a), dxdy.from_numpy(a)
    a[0] = 1
    assert t[0].item() == 0 and s[0].item() == 1 and f[0].item() == 1


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[1, 2], 3], "abc", None, [1, "a"], object()], ids=repr)
def test_bad_data_raises_like_torch(bad):
    raises_like(lambda lib: lib.tensor(bad))


def test_bad_dtype_argument():
    for lib in (dxdy, torch):
        with pytest.raises(TypeError):
            lib.zeros(2, dtype="float32")
        with pytest.raises(TypeError):
            lib.tensor([1.0], dtype=3)


FACTORIES = [
    lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros((2, 3), dtype=lib.int32), lambda lib: lib.ones([4]),
    lambda lib: lib.ones(2, dtype=lib.float64), lambda lib: lib.full((2, 2), 7), lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.full((2,), True), lambda lib: lib.full((3,), 2, dtype=lib.float64),
    lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int64)), lambda lib: lib.ones_like(lib.ones(2), dtype=lib.int8),
    lambda lib: lib.full_like(lib.ones(3), 4.5), lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4, dtype=lib.int64),
    lambda lib: lib.empty(0, 3), lambda lib: lib.zeros(()), lambda lib: lib.zeros(0),
    lambda lib: lib.arange(5), lambda lib: lib.arange(4.0), lambda lib: lib.arange(1, 10, 3),
    lambda lib: lib.arange(0, 1, 0.1), lambda lib: lib.arange(-1.5, 2.5, 0.5, dtype=lib.float64),
    lambda lib: lib.arange(10, 0, -3), lambda lib: lib.arange(0, 2.3, 0.23),
    lambda lib: lib.linspace(0, 1, 5), lambda lib: lib.linspace(-2, 2, 7, dtype=lib.float64),
    lambda lib: lib.linspace(0, 1, 1), lambda lib: lib.logspace(0, 2, 3),
    lambda lib: lib.scalar_tensor(3), lambda lib: lib.empty_like(lib.ones(2)).zero_(),
]


@pytest.mark.parametrize("make", FACTORIES)
def test_factories_match_torch(make):
    d, t = make(dxdy), make(torch)
    if d.dtype.is_floating_point:
        assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy.")
        np.testing.assert_allclose(np.asarray(d._data, np.float64), t.double().numpy(), rtol=1e-6, atol=1e-7)
    else:
        same(d, t)


def test_factory_errors():
    raises_like(lambda lib: lib.zeros(-1))
    raises_like(lambda lib: lib.arange(0, 1, 0))
    raises_like(lambda lib: lib.arange(0, 10, -1))
    raises_like(lambda lib: lib.linspace(0, 1, -1))


def test_requires_grad_in_factories():
    x = dxdy.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert dxdy.tensor([1.0], requires_grad=True).requires_grad


def test_manual_seed_makes_random_numbers_reproducible():
    dxdy.manual_seed(0)
    a = [dxdy.rand(3), dxdy.randn(2, 2), dxdy.randint(0, 10, (5,)), dxdy.normal(0.0, 1.0, (3,)), dxdy.randperm(5)]
    dxdy.manual_seed(0)
    b = [dxdy.rand(3), dxdy.randn(2, 2), dxdy.randint(0, 10, (5,)), dxdy.normal(0.0, 1.0, (3,)), dxdy.randperm(5)]
    for x, y in zip(a, b):
        assert dxdy.equal(x, y)
    dxdy.manual_seed(1)
    assert not dxdy.equal(dxdy.rand(3), a[0])


def test_random_shapes_dtypes_and_ranges():
    def run(lib):
        return [lib.rand(2, 3), lib.randn((4,)), lib.rand(2, dtype=lib.float64), lib.randint(3, (10,)),
                lib.randint(-2, 2, (3, 2)), lib.randint(5, (2,), dtype=lib.int32), lib.normal(2.0, 3.0, (2, 2)),
                lib.normal(lib.zeros(3), lib.ones(3)), lib.rand_like(lib.ones(2, dtype=lib.float64)),
                lib.randn_like(lib.ones(3)), lib.randperm(6)]
    for d, t in zip(run(dxdy), run(torch)):
        assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy.") and tuple(d.shape) == tuple(t.shape)
    u = dxdy.rand(10000)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.02
    n = dxdy.randn(10000, dtype=dxdy.float64)
    assert abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    r = dxdy.randint(-2, 2, (1000,))
    assert r.min().item() == -2 and r.max().item() == 1
    assert sorted(dxdy.randperm(6).tolist()) == list(range(6))


def test_random_errors():
    raises_like(lambda lib: lib.randint(5, 2, (3,)))
    raises_like(lambda lib: lib.rand(2, dtype=lib.int64))


def test_legacy_typed_constructors():
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor"):
        same(getattr(dxdy, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2]))
        assert tuple(getattr(dxdy, name)(2, 3).shape) == (2, 3)
    same(dxdy.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert tuple(dxdy.Tensor(2, 3).shape) == (2, 3)


def test_default_dtype_changes_float_inference():
    try:
        dxdy.set_default_dtype(dxdy.float64)
        assert dxdy.tensor([1.5]).dtype == dxdy.float64 and dxdy.zeros(1).dtype == dxdy.float64
        assert dxdy.arange(2.0).dtype == dxdy.float64 and (dxdy.tensor([1, 2]) / 2).dtype == dxdy.float64
        assert dxdy.get_default_dtype() == dxdy.float64
    finally:
        dxdy.set_default_dtype(dxdy.float32)
    with pytest.raises(TypeError):
        dxdy.set_default_dtype(dxdy.int64)


def test_a_size_is_required():
    # zeros() is no 0-d tensor (zeros(()) is): PyTorch's TypeError, its first line
    said = {}
    for lib in (dxdy, torch):
        x = lib.ones(2)
        said[lib] = []
        for make in (lib.zeros, lib.ones, lib.empty, lib.rand, lib.randn, x.new_zeros, x.new_ones, x.new_empty):
            with pytest.raises(TypeError) as info:
                make()
            said[lib].append(str(info.value).splitlines()[0])
            assert make(()).shape == ()
    assert said[dxdy] == said[torch]
