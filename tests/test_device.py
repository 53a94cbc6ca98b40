"""Devices: any of PyTorch's devices can be named, compared and hashed as in PyTorch; only placing data
anywhere but the CPU fails, with what PyTorch's CPU-only build raises (its name replaced by dxdy's)."""
import pickle
import re

import numpy as np
import pytest
import torch

import dxdy

NAMES = ["cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "lazy", "vulkan", "ipu", "mtia", "ve", "fpga", "maia",
         "hpu", "privateuseone", "mkldnn", "opengl", "opencl", "ideep"]
STRINGS = NAMES + ["cpu:0", "cpu:1", "cuda:0", "cuda:1", "cuda:7", "xla:3", "meta:0", "cuda:127", "cuda:128",
                   "cuda:300", "cpu:255", "cuda:2147483647",
                   # malformed
                   "", "foo", "foo:1", "CUDA", " cuda", "cuda ", "cuda:", ":1", "cuda:x", "cuda:-1", "cuda:01",
                   "cuda: 1", "cuda:0:1", "cuda:1a", "cuda:+1", "cuda:2147483648", "cuda:99999999999999999999",
                   "ort", "metal", "cuda_", "_cuda"]


def normalized(message):
    """The first line of a message, with dxdy for PyTorch's name, and any ATen operator's name as PyTorch's
    `empty` (which of its kernels refuses a device differs from factory to factory)."""
    line = str(message).splitlines()[0] if str(message) else ""
    return re.sub(r"'aten::[\w.]+'", "'aten::empty.memory_format'", re.sub(r"PyTorch|Torch|torch", "dxdy", line))


def made(lib, *args, **kwargs):
    """lib.device(*args, **kwargs) as what it shows, or as the (type, first line) of what it raised."""
    try:
        d = lib.device(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the point is to compare them
        return type(e).__name__, normalized(e)
    return repr(d), str(d), d.type, d.index, hash(d)


@pytest.mark.filterwarnings("ignore:'mkldnn' is no longer used")
def test_devices_are_made_and_refused_as_in_pytorch():
    for s in STRINGS:
        assert made(dxdy, s) == made(torch, s), s
    for args in [("cuda", 1), ("cpu", 0), ("cuda", 0), ("mps", 2), ("cuda", -1), ("cuda", "1"), ("cpu", 1.0),
                 ("cuda", True), ("cuda", None), ("cuda:1", 1), ("cuda:1", None), ("foo", 1), ("cuda", 128),
                 ("cuda", 2 ** 40), (1,), (0,), (-1,), (None,), (True,), (2.5,)]:
        assert made(dxdy, *args) == made(torch, *args), args
    assert made(dxdy, type="cuda", index=2) == made(torch, type="cuda", index=2)
    assert made(dxdy, dxdy.device("cuda", 2)) == made(torch, torch.device("cuda", 2))


def test_the_tensors_tutorial_asks_about_cuda():
    # PyTorch's "Tensors" tutorial: the device is only named, never used
    assert (dxdy.cuda.is_available() & (dxdy.device("cuda").index is not None)) is \
           (torch.cuda.is_available() & (torch.device("cuda").index is not None)) is False
    assert dxdy.cuda.device_count() == torch.cuda.device_count() == 0


def test_equality_and_hashing_as_in_pytorch():
    specs = ["cpu", "cpu:0", "cpu:1", "cuda", "cuda:0", "cuda:1", "mps", "meta"]
    for a in specs:
        for b in specs:
            assert (dxdy.device(a) == dxdy.device(b)) == (torch.device(a) == torch.device(b)), (a, b)
            assert (dxdy.device(a) != dxdy.device(b)) == (torch.device(a) != torch.device(b)), (a, b)
        for other in [a, 0, None]:  # a device never equals its string
            assert (dxdy.device(a) == other) == (torch.device(a) == other) is False
        assert len({dxdy.device(a), dxdy.device(a)}) == 1
        roundtrip = pickle.loads(pickle.dumps(dxdy.device(a)))
        assert roundtrip == dxdy.device(a) and repr(roundtrip) == repr(torch.device(a))


def outcome(fn):
    """fn() as the device of the tensor it makes, or as the (type, first line) of what it raised."""
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, normalized(e)
    return str(result.device)


def factories(lib):
    x = lib.ones(2, 3)
    i = lib.ones(2, dtype=lib.int64)
    return {
        "zeros": lambda d: lib.zeros(2, device=d), "ones": lambda d: lib.ones(2, 3, device=d),
        "empty": lambda d: lib.empty(2, device=d), "full": lambda d: lib.full((2,), 1.5, device=d),
        "eye": lambda d: lib.eye(2, device=d), "arange": lambda d: lib.arange(3, device=d),
        "linspace": lambda d: lib.linspace(0, 1, 5, device=d), "logspace": lambda d: lib.logspace(0, 1, 5, device=d),
        "rand": lambda d: lib.rand(2, device=d), "randn": lambda d: lib.randn(2, device=d),
        "randint": lambda d: lib.randint(0, 5, (2,), device=d), "randperm": lambda d: lib.randperm(4, device=d),
        "normal": lambda d: lib.normal(0.0, 1.0, (2,), device=d),
        "scalar_tensor": lambda d: lib.scalar_tensor(1.5, device=d),
        "zeros_like": lambda d: lib.zeros_like(x, device=d), "ones_like": lambda d: lib.ones_like(x, device=d),
        "empty_like": lambda d: lib.empty_like(x, device=d), "full_like": lambda d: lib.full_like(x, 2, device=d),
        "rand_like": lambda d: lib.rand_like(x, device=d), "randn_like": lambda d: lib.randn_like(x, device=d),
        "randint_like": lambda d: lib.randint_like(i, 5, device=d),
        "new_zeros": lambda d: x.new_zeros(2, device=d), "new_ones": lambda d: x.new_ones(2, device=d),
        "new_empty": lambda d: x.new_empty(2, device=d), "new_full": lambda d: x.new_full((2,), 3.0, device=d),
        "tril_indices": lambda d: lib.tril_indices(3, 3, device=d),
        "to": lambda d: x.to(d), "to_dtype": lambda d: x.to(d, lib.float64), "to_device": lambda d: x.to(device=d),
    }


PLACES = ["cpu", "cpu:0", "cuda", "cuda:1", "xpu", "mps", "hip", "xla", "vulkan", "ipu", 0, 1, "foo", "cuda:x"]


@pytest.mark.parametrize("where", PLACES, ids=str)
def test_placing_data_fails_as_in_pytorchs_cpu_build(where):
    ours, theirs = factories(dxdy), factories(torch)
    for name in ours:
        d = outcome(lambda: ours[name](dxdy.device(where) if where == "cpu" else where))
        t = outcome(lambda: theirs[name](torch.device(where) if where == "cpu" else where))
        if isinstance(t, tuple) and isinstance(d, tuple):  # PyTorch's message goes on where dxdy's stops
            assert d[0] == t[0] and t[1].startswith(d[1]) and d[1], (name, where, d, t)
        else:
            assert d == t, (name, where, d, t)


def test_cuda_and_cpu_methods():
    for lib in (dxdy, torch):
        x = lib.ones(2)
        assert x.cpu() is x and x.to("cpu") is x and x.to(lib.device("cpu")) is x
        assert str(x.device) == "cpu" and x.device == lib.device("cpu") and not x.is_cuda and x.get_device() == -1
    assert outcome(lambda: dxdy.ones(2).cuda()) == ("AssertionError", "dxdy not compiled with CUDA enabled")
    for call in [lambda x: x.cuda(), lambda x: x.cuda(1), lambda x: x.cuda("cuda:1"), lambda x: x.cuda("cpu"),
                 lambda x: x.cuda("foo"), lambda x: x.to("cuda", non_blocking=True), lambda x: x.to("cuda", copy=True),
                 lambda x: x.to(1), lambda x: x.to("xla")]:
        assert outcome(lambda: call(dxdy.ones(2))) == outcome(lambda: call(torch.ones(2)))


def test_meta_tensors_are_refused():
    # PyTorch makes tensors without data on 'meta'; dxdy has none, and says so
    with pytest.raises(NotImplementedError, match="meta"):
        dxdy.ones(2, device="meta")
    with pytest.raises(NotImplementedError, match="meta"):
        dxdy.ones(2).to("meta")
    assert np.array_equal(dxdy.ones(2, device="cpu:0").numpy(), np.ones(2, np.float32))
