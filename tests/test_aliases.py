"""Every name PyTorch has for an op dxdy implements is dxdy's too, and does what PyTorch's does.

PyTorch's docstrings say which of its top-level names are aliases ("Alias for :func:`torch.asin`."), so
the list of names comes from PyTorch itself: an op is the alias and its target, dxdy implements it when it
has one of the two, and then it has every one of the names PyTorch has at top level, as a Tensor method and
as an in-place method. Each alias runs on the samples of its op table row against PyTorch's.
"""
import re
import warnings

import numpy as np
import pytest
import torch

import dxdy
import dxdy.linalg
import dxdy.nn.functional
from op_db import Maker, ops_by_name
from op_info import map_arrays

SEED = 2468


def _resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def _pytorch_aliases(namespace):
    """{alias: the path of its target} for a namespace of PyTorch's (torch, torch.Tensor), from its docstrings."""
    aliases = {}
    for name in dir(namespace):
        doc = None if name.startswith("_") else getattr(getattr(namespace, name), "__doc__", None)
        found = re.search(r"[Aa]lias (?:for|of) :(?:func|meth|attr):`~?(?:torch\.)?(?:Tensor\.)?([\w.]+)", doc) \
            if isinstance(doc, str) else None
        if found:
            aliases[name] = found.group(1)
    return aliases


ALIASES = _pytorch_aliases(torch)
# The ops dxdy implements, each as (alias, target path): dxdy has one of the two names.
OPS = sorted((a, t) for a, t in ALIASES.items() if _resolve(dxdy, a) is not None or _resolve(dxdy, t) is not None)
# Aliases of Tensor's own (x.nelement() for x.numel()) whose target dxdy's Tensor has.
TENSOR_ALIASES = sorted((a, t) for a, t in _pytorch_aliases(torch.Tensor).items()
                        if _resolve(dxdy.Tensor, t) is not None or hasattr(dxdy.Tensor, a))


def test_pytorchs_aliases_are_found():
    # (A change in PyTorch's docstrings must not leave the tests below with nothing to check.)
    assert len(ALIASES) >= 40 and len(OPS) >= 30 and len(TENSOR_ALIASES) >= 8, (ALIASES, OPS, TENSOR_ALIASES)


@pytest.mark.parametrize("alias, target", TENSOR_ALIASES, ids=[a for a, _ in TENSOR_ALIASES])
def test_every_alias_of_tensors_is_dxdys(alias, target):
    assert hasattr(dxdy.Tensor, alias), f"Tensor.{alias}, PyTorch's alias of Tensor.{target}, is missing"
    for d, t in ((dxdy.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[1.0, 2.0, 3.0]])),
                 (dxdy.tensor([1, 2], dtype=dxdy.int16), torch.tensor([1, 2], dtype=torch.int16))):
        ours, theirs = getattr(d, alias), getattr(t, alias)
        if not callable(theirs):  # an attribute: x.ndim, x.shape, x.itemsize
            assert tuple(ours) == tuple(theirs) if isinstance(theirs, torch.Size) else ours == theirs, alias


@pytest.mark.parametrize("alias, target", OPS, ids=[a for a, _ in OPS])
def test_every_name_of_the_op_is_dxdys(alias, target):
    names = [alias] + ([target] if "." not in target else [])  # (a dotted target is a submodule's name)
    missing = [f"dxdy.{n}" for n in names if hasattr(torch, n) and not hasattr(dxdy, n)]
    missing += [f"Tensor.{n}" for n in names if hasattr(torch.Tensor, n) and not hasattr(dxdy.Tensor, n)]
    missing += [f"Tensor.{n}_" for n in names if hasattr(torch.Tensor, n + "_") and not hasattr(dxdy.Tensor, n + "_")]
    if "." in target and _resolve(dxdy, target.rsplit(".", 1)[0]) is not None:  # dxdy.linalg, dxdy.nn.functional
        missing += [f"dxdy.{target}"] if _resolve(dxdy, target) is None else []
    assert not missing, f"PyTorch's names for {target} that dxdy lacks: {missing}"


# -- each alias against PyTorch's, on the samples of its row ---------------------------------------------------------
def _forms(alias):
    """How PyTorch calls the op by this name: as a function, a method, in place."""
    forms = [f for f, ok in (("function", True), ("method", hasattr(torch.Tensor, alias)),
                             ("in place", hasattr(torch.Tensor, alias + "_"))) if ok]
    return forms


def _cases():
    table = ops_by_name()
    cases = []
    for alias, target in OPS:
        rows = table.get(alias)
        assert rows, f"{alias}: no row in the op table"  # (test_ops.py holds every public name to one)
        info = rows[0]
        dtype = "float64" if "float64" in info.dtypes else info.dtypes[0]
        samples = info.samples(Maker(np.random.default_rng(SEED), dtype, info.domain), dtype)[:2]
        for form in _forms(alias):
            for k, sample in enumerate(samples):
                if form != "function" and not isinstance(sample.args[0], np.ndarray):
                    continue
                cases.append(pytest.param(alias, form, sample, id=f"{alias}-{form}-{k}"))
    return cases


def _run(lib, alias, form, sample):
    def tensor(a):
        return lib.tensor(np.array(getattr(a, "array", a)))
    args = [map_arrays(a, tensor) for a in sample.args]
    kwargs = {k: map_arrays(v, tensor) for k, v in sample.kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if form == "function":
                out = _resolve(lib, alias)(*args, **kwargs)
            elif form == "method":
                out = getattr(args[0], alias)(*args[1:], **kwargs)
            else:
                out = getattr(args[0], alias + "_")(*args[1:], **kwargs)
                assert out is args[0], f"{alias}_ did not return self"
        except (RuntimeError, TypeError) as e:
            return type(e).__name__
    outs = out if isinstance(out, (tuple, list)) else [out]
    return [(str(o.dtype).split(".")[-1], o.numpy().copy()) for o in outs]


@pytest.mark.parametrize("alias, form, sample", _cases())
def test_alias_does_what_pytorchs_does(alias, form, sample):
    ours, theirs = _run(dxdy, alias, form, sample), _run(torch, alias, form, sample)
    if isinstance(theirs, str):
        assert ours == theirs
        return
    assert [d for d, _ in ours] == [d for d, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


# -- nn.functional's functions that PyTorch's top level shares -------------------------------------------------------
SHARED_WITH_NN_FUNCTIONAL = sorted(
    n for n in dir(torch) if not n.startswith("_") and callable(getattr(torch, n))
    and not isinstance(getattr(torch, n), type) and getattr(torch.nn.functional, n, None) is getattr(torch, n)
    and hasattr(dxdy.nn.functional, n))


def test_pytorchs_top_level_functions_of_nn_functional_are_dxdys():
    # torch.conv2d is torch.nn.functional.conv2d (the op table holds nn.functional's to PyTorch's).
    assert len(SHARED_WITH_NN_FUNCTIONAL) >= 8, SHARED_WITH_NN_FUNCTIONAL
    missing = [n for n in SHARED_WITH_NN_FUNCTIONAL if getattr(dxdy, n, None) is not getattr(dxdy.nn.functional, n)]
    assert not missing, f"nn.functional's functions PyTorch has at top level and dxdy lacks there: {missing}"
