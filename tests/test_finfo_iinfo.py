"""dxdy.finfo and dxdy.iinfo against PyTorch's."""
import pytest
import torch

import dxdy


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name):
    d, t = dxdy.finfo(getattr(dxdy, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(d, attr) == getattr(t, attr), attr
    assert repr(d) == repr(t)


def test_finfo_default_is_the_default_dtype():
    assert dxdy.finfo().dtype == "float32"
    dxdy.set_default_dtype(dxdy.float64)
    try:
        assert dxdy.finfo().dtype == "float64"
    finally:
        dxdy.set_default_dtype(dxdy.float32)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    d, t = dxdy.iinfo(getattr(dxdy, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(d, attr) == getattr(t, attr), attr
    assert repr(d) == repr(t)


def test_info_refuses_the_other_kind():
    with pytest.raises(TypeError):
        dxdy.finfo(dxdy.int32)
    with pytest.raises(TypeError):
        dxdy.iinfo(dxdy.float32)
    with pytest.raises(TypeError):
        dxdy.iinfo(dxdy.bool)
