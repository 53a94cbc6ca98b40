"""PyTorch's keyword names: every public function and method takes its arguments by PyTorch's names.

Where PyTorch's names come from:
- functions and methods PyTorch writes in C++: the type stubs its Python binding is generated with
  (torch/_C/_VariableFunctions.pyi, _nn.pyi, __init__.pyi), which give each overload as Python sees it
  (`self` is `input` for functions; methods have varargs forms such as `x.view(*size)`); for namespaces
  without stubs (torch.linalg), the operator schemas (`torch._C._jit_get_schemas_for_operator`);
- functions written in Python (torch.nn.functional.*, torch.functional.*, some Tensor methods):
  `inspect.signature`.

The calls: every sample of the op table, re-called in both libraries with its arguments passed by
keyword under PyTorch's names (as many as PyTorch accepts, for each overload the sample fits), as a
function, as a method, and as the in-place method (`x.add_`); plus hand-written calls for what the op
table does not hold (creation and random functions, in-place methods, `new_*`, ...). Wherever PyTorch
accepts a call, dxdy must accept it and give the same result. A last test checks that every argument
name PyTorch gives a public dxdy function or method was passed by keyword in some call, or is listed
in NOT_CALLED with the reason.
"""
import ast
import functools
import inspect
import keyword
import os
import warnings
from collections import namedtuple

import numpy as np
import pytest
import torch

import dxdy
from op_db import OP_DB, Maker
from op_info import NoGrad
from test_ops import _convert, assert_same, resolve

SEED = 1234


# -- PyTorch's signatures ------------------------------------------------------------------------
Param = namedtuple("Param", "name kind")  # kind: "pos" (positional or keyword), "kw" (keyword only), "var" (*args)


def _python_name(stub_name):
    # A stub spells a name that is a Python keyword with a trailing underscore (`from_` for uniform_'s `from`).
    return stub_name[:-1] if keyword.iskeyword(stub_name[:-1]) else stub_name


@functools.lru_cache(maxsize=None)
def _stubs(filename, class_name=None):
    """name -> overloads, each a tuple of Params, from one of PyTorch's .pyi stubs (a class's methods, without self)."""
    with open(os.path.join(os.path.dirname(torch.__file__), "_C", filename)) as f:
        tree = ast.parse(f.read())
    body = tree.body
    if class_name is not None:
        body = next(node.body for node in body if isinstance(node, ast.ClassDef) and node.name == class_name)
    found = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params = [Param(_python_name(p.arg), "pos") for p in a.posonlyargs + a.args]
            params += [Param(a.vararg.arg, "var")] if a.vararg else []
            params += [Param(_python_name(p.arg), "kw") for p in a.kwonlyargs]
            if class_name is not None:
                params = params[1:]
            found.setdefault(node.name, []).append(tuple(params))
    return found


def _schema_overloads(name):
    """An operator's overloads from its schemas, as Python sees them: `self` is `input`, no out= variants,
    no named-dimension variants, none of TorchScript's own overloads (of lists and Python numbers)."""
    schemas = torch._C._jit_get_schemas_for_operator("aten::" + name)
    out = []
    for s in schemas:
        types = [str(a.type) for a in s.arguments]
        if any(a.kwarg_only and a.alias_info is not None and a.alias_info.is_write for a in s.arguments) \
                or any("Dimname" in t for t in types) or not any("Tensor" in t for t in types):
            continue
        out.append(tuple(Param("input" if a.name == "self" else a.name, "kw" if a.kwarg_only else "pos")
                         for a in s.arguments))
    return out


def _signature_overloads(fn, method):
    sig = inspect.signature(fn)
    if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()):
        # torch.nn.functional's boolean_dispatch (max_pool2d and its return_indices): the function it picks
        inner = [c.cell_contents for c in fn.__closure__ or () if inspect.isfunction(c.cell_contents)]
        if inner:
            sig = inspect.signature(inner[0])
    kinds = {inspect.Parameter.VAR_POSITIONAL: "var", inspect.Parameter.KEYWORD_ONLY: "kw"}
    params = [Param(p.name, kinds.get(p.kind, "pos")) for p in sig.parameters.values()
              if p.kind != inspect.Parameter.VAR_KEYWORD]
    return [tuple(params[1:] if method else params)]


@functools.lru_cache(maxsize=None)
def torch_overloads(path, method):
    """PyTorch's overloads of torch.<path> (or of the method torch.Tensor.<path>), each a tuple of Params."""
    fn = getattr(torch.Tensor, path) if method else resolve(torch, path)
    if inspect.isfunction(fn):
        return _signature_overloads(fn, method)
    if method:
        return _stubs("__init__.pyi", "TensorBase").get(path, [])
    if fn.__module__ == "torch":
        return _stubs("_VariableFunctions.pyi").get(fn.__name__, [])
    if fn.__module__ == "torch._C._nn":
        return _stubs("_nn.pyi").get(fn.__name__, [])
    return _schema_overloads(fn.__name__)


# -- calls by keyword from the op table ----------------------------------------------------------
# A call: the op's samples[index], called as `form` ("function", "method" or "inplace": the method
# name + "_"), its first `n_positional` arguments (after the tensor, for methods) passed by position
# and the rest by the names in `keywords`; `packed` when the sample's varargs (`x.view(3, 2)`) are
# passed as one sequence (`x.view(size=(3, 2))`).
Call = namedtuple("Call", "info index form path torch_path packed n_positional keywords")


def _samples(info):
    dtype = info.dtypes[0]
    samples = info.samples(Maker(np.random.default_rng(SEED), dtype, info.domain), dtype)
    return [s for s in samples if info.sample_filter is None or info.sample_filter(s, dtype)]


def _forms(info):
    """(form, dxdy path, torch path) of each way to call the op: function, method, in-place method."""
    name = info.name.split(".")[-1]
    torch_name = info.torch_path.split(".")[-1]
    forms = []
    if not info.name.startswith("Tensor."):
        forms.append(("function", info.name, info.torch_path))
        if info.name.startswith("nn.functional.") and hasattr(torch.nn.functional, torch_name + "_") \
                and hasattr(dxdy.nn.functional, name + "_"):
            forms.append(("function", info.name + "_", info.torch_path + "_"))
    if info.name.startswith("Tensor.") or info.method and hasattr(torch.Tensor, torch_name) \
            and hasattr(dxdy.Tensor, name):
        forms.append(("method", name, torch_name))
        if hasattr(torch.Tensor, torch_name + "_") and hasattr(dxdy.Tensor, name + "_"):
            forms.append(("inplace", name + "_", torch_name + "_"))
    return forms


def _invoke(lib, form, path, args, kwargs):
    with warnings.catch_warnings():  # (deprecations and the like: the op tests see them)
        warnings.simplefilter("ignore")
        if form == "function":
            return resolve(lib, path)(*args, **kwargs)
        return getattr(args[0], path)(*args[1:], **kwargs)


def _tensors_of(lib, sample):
    leaves = []
    args = tuple(_convert(lib, a, leaves, False) for a in sample.args)
    return args, {k: _convert(lib, v, leaves, False) for k, v in sample.kwargs.items()}


def _by_keyword(args, kwargs, call):
    """The arguments of `call`: (positional, keyword)."""
    first = 0 if call.form == "function" else 1
    values = args[first:]
    if call.packed:
        values = (tuple(values),)
    k = call.n_positional
    return args[:first] + values[:k], {**dict(zip(call.keywords[k:], values[k:])), **kwargs}


# Names PyTorch gives an argument only in an overload where it is a Python number standing in for a tensor
# (`torch.pow(self=2, exponent=t)`, `torch.isin(element=2, test_elements=t)`): artefacts of its binding, which
# dxdy does not copy; it takes such a number by position or under the tensor's name.
NUMBER_OVERLOAD_NAMES = {"self", "element", "test_element"}


def _fits(overload, values, kwargs):
    """The names `values` take in `overload`, and whether they are packed; None when the sample does not fit."""
    positional = [p.name for p in overload if p.kind == "pos"]
    names = {p.name for p in overload}
    if any(k not in names for k in kwargs) or any(p.kind == "var" for p in overload) \
            or names & NUMBER_OVERLOAD_NAMES:
        return None
    if len(values) > len(positional):  # varargs of ints, which the one-sequence overload takes by name
        if len(positional) != 1 or not all(isinstance(v, int) for v in values):
            return None
        return True, tuple(positional)
    return False, tuple(positional[:len(values)])


def _accepted(form, path, args, kwargs):
    shape = args[0].shape if form == "inplace" else None
    try:
        out = _invoke(torch, form, path, args, kwargs)
    except Exception:
        return False
    # An in-place op that changes the tensor's shape (`transpose_`, `t_` of a non-square tensor): dxdy's
    # in-place ops keep the shape (a gap of its own, not of keyword names; tests/test_keyword_names.py
    # leaves it to the in-place tests).
    return form != "inplace" or out.shape == shape


@functools.lru_cache(maxsize=None)
def keyword_calls(info_index):
    """The calls by keyword PyTorch accepts for the op table's row `info_index` (see Call)."""
    info = OP_DB[info_index]
    calls = []
    for index, sample in enumerate(_samples(info)):
        for form, path, torch_path in _forms(info):
            first = 0 if form == "function" else 1
            if first and not (sample.args and isinstance(sample.args[0], np.ndarray)):
                continue
            overloads = torch_overloads(torch_path, form != "function")
            tried = set()
            for overload in overloads:
                fit = _fits(overload, sample.args[first:], sample.kwargs)
                if fit is None or fit in tried:
                    continue
                tried.add(fit)
                packed, keywords = fit
                n = 1 if packed else len(keywords)
                for k in range(n):  # as many by keyword as PyTorch takes
                    call = Call(info, index, form, path, torch_path, packed, k, keywords)
                    if _accepted(form, torch_path, *_by_keyword(*_tensors_of(torch, sample), call)):
                        calls.append(call)
                        break
    return calls


def _describe(call, args, kwargs):
    shown = [getattr(a, "shape", a) for a in args]
    return f"{call.form} {call.path}(*{shown}, **{ {k: getattr(v, 'shape', v) for k, v in kwargs.items()} })"


OPS = sorted({info.name for info in OP_DB})


@pytest.mark.parametrize("name", OPS)
def test_op_table_by_keyword(name):
    """Each sample, called with its arguments by PyTorch's names: dxdy accepts what PyTorch accepts, same result."""
    for i, info in enumerate(OP_DB):
        if info.name != name:
            continue
        for call in keyword_calls(i):
            sample = _samples(info)[call.index]
            t_out = _invoke(torch, call.form, call.torch_path, *_by_keyword(*_tensors_of(torch, sample), call))
            d_args, d_kwargs = _by_keyword(*_tensors_of(dxdy, sample), call)
            try:
                d_out = _invoke(dxdy, call.form, call.path, d_args, d_kwargs)
            except Exception as e:
                pytest.fail(f"{_describe(call, d_args, d_kwargs)}: PyTorch accepts it, dxdy raises "
                            f"{type(e).__name__}: {e}")
            assert_same(d_out, t_out, info, info.dtypes[0], what=_describe(call, d_args, d_kwargs))
