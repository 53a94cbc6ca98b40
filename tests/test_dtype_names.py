"""The names PyTorch's messages give dtypes ('Int', 'IntTensor', 'int'), from dxdy's one table in dtypes.py."""
import pytest
import torch

import dxdy
from dxdy import dtypes

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def message(fn):
    """The exception type and text of fn(dxdy) and fn(torch), torch's spelled as dxdy's."""
    caught = []
    for lib in (dxdy, torch):
        with pytest.raises(Exception) as err:
            fn(lib)
        caught.append((type(err.value).__name__, str(err.value).splitlines()[0].replace("torch.", "dxdy.")))
    return caught


@pytest.mark.parametrize("name", NAMES)
def test_legacy_type_of_every_dtype(name):
    assert dxdy.zeros(2, dtype=getattr(dxdy, name)).type() == \
        torch.zeros(2, dtype=getattr(torch, name)).type().replace("torch.", "dxdy.")
    assert dtypes.legacy_type_name(getattr(dxdy, name).np) == dtypes.legacy_type_name(getattr(dxdy, name))
    assert dtypes.from_legacy_type_name(dtypes.legacy_type_name(getattr(dxdy, name))) is getattr(dxdy, name)


@pytest.mark.parametrize("name", ["int32", "int16", "int8", "uint8", "bool"])
def test_out_cast_error_names_the_scalar_type(name):
    # The out= message names the scalar type as PyTorch does ("Int", not "Int32").
    def run(lib):
        lib.add(lib.tensor([1.5]), 1, out=lib.zeros(1, dtype=getattr(lib, name)))
    d, t = message(run)
    assert d == t


@pytest.mark.parametrize("name", ["int16", "int32", "float16", "float64"])
def test_in_place_cast_and_index_add_errors_name_the_scalar_type(name):
    def in_place(lib):
        lib.zeros(3, dtype=lib.int8 if name != "int32" else lib.int32).add_(lib.ones(3, dtype=getattr(lib, name))
                                                                             if name.startswith("float") else 1.5)

    def index_add(lib):
        lib.zeros(3, dtype=lib.float32).index_add_(0, lib.tensor([0]), lib.ones(1, dtype=getattr(lib, name)))
    d, t = message(in_place)
    assert d == t
    d, t = message(index_add)
    assert d == t


@pytest.mark.parametrize("name", ["int16", "uint8", "float16", "float64"])
def test_cpp_spellings(name):
    def masked_fill(lib):
        lib.zeros(2).masked_fill(lib.zeros(2, dtype=getattr(lib, name)), 1.0)

    def grad_dtype(lib):
        lib.zeros(2, dtype=lib.float32 if name == "float64" else lib.float64).grad = \
            lib.zeros(2, dtype=getattr(lib, name))
    d, t = message(masked_fill)
    assert d == t
    (d_type, d_text), (t_type, t_text) = message(grad_dtype)
    assert (d_type, d_text.split(". ")[0]) == (t_type, t_text.split(". ")[0])  # (the dtype names: its first sentence)


def test_argument_type_names():
    class Odd:
        pass
    import decimal
    assert [dtypes.type_name(v) for v in (1.0, Odd(), decimal.Decimal(1), None)] == \
        ["float", "Odd", "decimal.Decimal", "NoneType"]
