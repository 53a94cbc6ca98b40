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
function, as a method, and as the in-place method (`x.add_`), and a sequence also as the varargs a
method takes instead (`x.tile(2, 2)` for `x.tile((2, 2))`); plus hand-written calls for what the op
table does not hold (creation and random functions, in-place methods, `new_*`, ...). Wherever PyTorch
accepts a call, dxdy must accept it and give the same result; the reductions also under NumPy's
spellings (`axis=`, `keepdims=`). A last test checks that every argument name PyTorch gives a public
dxdy function or method was passed by keyword in some call, or is listed in NOT_CALLED with the reason.
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
from op_info import OpInfo
from test_ops import _convert, assert_same, resolve

SEED = 1234


# -- PyTorch's signatures ------------------------------------------------------------------------
Param = namedtuple("Param", "name kind")  # kind: "pos" (positional or keyword), "kw" (keyword only), "var" (*args),
#                                           "posonly" (positional only: no keyword name)


def _python_name(stub_name, op_name):
    # A stub spells a name that is a Python keyword with a trailing underscore: uniform_'s `from` is `from_`
    # there (can_cast's really is `from_`; the operator's schema tells which).
    if keyword.iskeyword(stub_name[:-1]):
        schemas = torch._C._jit_get_schemas_for_operator("aten::" + op_name)
        if any(a.name == stub_name[:-1] for s in schemas for a in s.arguments):
            return stub_name[:-1]
    return stub_name


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
            params = [Param(_python_name(p.arg, node.name), "pos") for p in a.posonlyargs + a.args]
            params += [Param(a.vararg.arg, "var")] if a.vararg else []
            params += [Param(_python_name(p.arg, node.name), "kw") for p in a.kwonlyargs]
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
    kinds = {inspect.Parameter.VAR_POSITIONAL: "var", inspect.Parameter.KEYWORD_ONLY: "kw",
             inspect.Parameter.POSITIONAL_ONLY: "posonly"}
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
# name + "_") of `path` in dxdy and `torch_path` in PyTorch, its first `n_positional` arguments (after
# the tensor, for methods) passed by position and the rest by the names in `keywords`; `packed` when the
# sample's varargs (`x.view(3, 2)`) are passed as one sequence (`x.view(size=(3, 2))`), `spread` when
# its one sequence is passed as varargs (`x.tile((2, 2))` as `x.tile(2, 2)`, PyTorch's other way).
Call = namedtuple("Call", "info index form path torch_path packed n_positional keywords spread", defaults=[False])


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
    if call.spread:
        values = tuple(values[0])
    k = call.n_positional
    return args[:first] + values[:k], {**dict(zip(call.keywords[k:], values[k:])), **kwargs}


# Names PyTorch gives an argument only in an overload where it is a Python number standing in for a tensor
# (`torch.pow(self=2, exponent=t)`, `torch.isin(element=2, test_elements=t)`, `torch.result_type(scalar1=1,
# scalar2=2.0)`): artefacts of its binding, which dxdy does not copy; it takes such a number by position or
# under the tensor's name.
NUMBER_OVERLOAD_NAMES = {"self", "element", "test_element", "scalar", "scalar1", "scalar2"}


def _fits(overload, values, kwargs):
    """The names `values` take in `overload`, and whether they are packed; None when the sample does not fit."""
    positional = [p.name for p in overload if p.kind in ("pos", "posonly")]
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
    # Not an in-place op that changes the tensor's shape (`transpose_`, `t_` of a non-square tensor): dxdy's
    # in-place ops keep the shape, a gap of their own, not of keyword names.
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
            values = sample.args[first:]
            if any(p.kind == "var" for o in overloads for p in o) and len(values) == 1 and not sample.kwargs \
                    and isinstance(values[0], (tuple, list)) and values[0]:
                call = Call(info, index, form, path, torch_path, False, len(values[0]), (), spread=True)
                if _accepted(form, torch_path, *_by_keyword(*_tensors_of(torch, sample), call)):
                    calls.append(call)
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


def _check(call):
    """A call PyTorch accepts: dxdy accepts it too and gives the same result."""
    info = call.info
    sample = _samples(info)[call.index]
    t_out = _invoke(torch, call.form, call.torch_path, *_by_keyword(*_tensors_of(torch, sample), call))
    d_args, d_kwargs = _by_keyword(*_tensors_of(dxdy, sample), call)
    try:
        d_out = _invoke(dxdy, call.form, call.path, d_args, d_kwargs)
    except Exception as e:
        pytest.fail(f"{_describe(call, d_args, d_kwargs)}: PyTorch accepts it, dxdy raises {type(e).__name__}: {e}")
    assert_same(d_out, t_out, info, info.dtypes[0], what=_describe(call, d_args, d_kwargs))


@pytest.mark.parametrize("name", OPS)
def test_op_table_by_keyword(name):
    """Each sample, called with its arguments by PyTorch's names: dxdy accepts what PyTorch accepts, same result."""
    for i, info in enumerate(OP_DB):
        if info.name == name:
            for call in keyword_calls(i):
                _check(call)


# NumPy's spellings, which PyTorch's parser takes for four names in every function it writes in C++; dxdy
# takes them in its reductions (docs/decisions.md, "Keyword names are PyTorch's").
NUMPY_SPELLINGS = {"dim": "axis", "keepdim": "keepdims", "input": "x", "other": "x2"}
REDUCTIONS = """sum nansum mean prod max min amax amin aminmax argmax argmin var std var_mean std_mean logsumexp cumsum
cumprod all any count_nonzero nanmean cummax cummin logcumsumexp linalg.vector_norm""".split()


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_take_numpy_spellings(name):
    """`x.sum(axis=0, keepdims=True)`, `torch.amax(x=t, axis=1)`: as PyTorch, for every keyword call above."""
    tried = 0
    for i, info in enumerate(OP_DB):
        for call in keyword_calls(i) if info.name == name else ():
            if not set(call.keywords[call.n_positional:]) & NUMPY_SPELLINGS.keys():
                continue
            spelled = call._replace(keywords=tuple(NUMPY_SPELLINGS.get(k, k) for k in call.keywords))
            sample = _samples(info)[call.index]
            if _accepted(call.form, call.torch_path, *_by_keyword(*_tensors_of(torch, sample), spelled)):
                _check(spelled)
                tried += 1
    assert tried, f"no call of {name} by NumPy's spellings that PyTorch accepts"


# -- hand-written calls: what the op table does not hold ------------------------------------------
# Each is evaluated in both libraries, with `torch` the library, `F` its nn.functional, and fresh tensors:
# x, y (2 x 3 floats), p (2 x 3 probabilities), m (3 x 3, invertible), v (3 floats), i (2 x 3 ints in
# [0, 3)) and c (ints [0, 1, 1, 3]). VALUES compares values; SHAPES, for random results, shapes and dtypes.
CREATION = dict(dtype="torch.float64", layout=None, device="'cpu'", pin_memory=False, requires_grad=False)
_creation = ", ".join(f"{k}={v}" for k, v in CREATION.items())
_like = _creation + ", memory_format=None"

VALUES = [
    # creation
    f"torch.zeros(size=(2, 3), {_creation})", f"torch.ones(size=[2], {_creation})",
    f"torch.empty(size=(0, 2), memory_format=None, {_creation})", "torch.zeros(2, 3, dtype=torch.int32)",
    f"torch.full(size=(2, 3), fill_value=1.5, {_creation})",
    f"torch.zeros_like(input=x, {_like})", f"torch.ones_like(input=x, {_like})",
    f"torch.full_like(input=x, fill_value=2.0, {_like})",
    f"torch.eye(n=2, m=3, {_creation})", f"torch.arange(start=1, end=7, step=2, {_creation})",
    "torch.arange(end=4)", f"torch.linspace(start=0.0, end=1.0, steps=5, {_creation})",
    f"torch.logspace(start=0.0, end=2.0, steps=3, base=2.0, {_creation})",
    "torch.range(start=1, end=4, step=0.5, dtype=torch.float64, device='cpu', requires_grad=False)",
    f"torch.scalar_tensor(s=1.5, {_creation})",
    "torch.tensor(data=[[1, 2]], dtype=torch.float64, device='cpu', requires_grad=True, pin_memory=False)",
    "torch.as_tensor(data=[1.0, 2.0], dtype=torch.float64, device='cpu')",
    "torch.asarray(obj=[1, 2], dtype=torch.float32, device='cpu', copy=True, requires_grad=True)",
    "torch.tril_indices(row=3, col=4, offset=1, dtype=torch.int32, device='cpu', layout=None, pin_memory=False, "
    "requires_grad=False)",
    "torch.triu_indices(row=3, col=3, offset=-1, dtype=torch.int64, device='cpu', layout=None, pin_memory=False, "
    "requires_grad=False)",
    "x.new_zeros(size=(2,), dtype=torch.float64, layout=None, device='cpu', pin_memory=False, requires_grad=False)",
    "x.new_ones(size=[1, 2], dtype=torch.int64, layout=None, device='cpu', pin_memory=False, requires_grad=False)",
    "x.new_empty(size=(0,), dtype=None, layout=None, device='cpu', pin_memory=False, requires_grad=False)",
    "x.new_zeros(2, 3)",
    "x.new_full(size=(2,), fill_value=3.0, dtype=torch.float64, layout=None, device='cpu', pin_memory=False, "
    "requires_grad=False)",
    "x.new_tensor(data=[1, 2], dtype=torch.float64, device='cpu', requires_grad=False)",
    # dtypes and utilities
    "torch.promote_types(type1=torch.int32, type2=torch.float32)", "torch.result_type(tensor=x, other=i)",
    "torch.can_cast(from_=torch.int32, to=torch.float32)", "torch.is_floating_point(input=i)",
    "torch.set_rng_state(new_state=torch.get_rng_state())",
    "torch.set_printoptions(precision=3, threshold=100, edgeitems=2, linewidth=60, sci_mode=False)",
    "torch.set_printoptions(profile='default', sci_mode=None)",
    # functions
    "torch.argsort(x, dim=1, descending=True, stable=True)", "torch.sort(input=x, dim=0, descending=True, stable=True)",
    "torch.topk(x, k=2, dim=1, largest=False, sorted=True)", "torch.divide(x, y, rounding_mode='floor')",
    "torch.subtract(x, y, alpha=2)", "torch.gather(x, 1, i, sparse_grad=False)",
    "torch.isin(elements=i, test_elements=c, assume_unique=False, invert=True)",
    "torch.repeat_interleave(x, repeats=2, dim=0, output_size=4)",
    "torch.tensor_split(x, tensor_indices_or_sections=torch.tensor([1]), dim=1)",
    "torch.concatenate(tensors=[x, y], dim=1)", "torch.trapz(x, dim=0)", "torch.trapz(x, dx=0.5, dim=1)",
    "torch.meshgrid(v, v, indexing='ij')", "torch.cdist(x1=x, x2=y, p=2.0, compute_mode='use_mm_for_euclid_dist')",
    "torch.clone(x, memory_format=None)", "torch.softmax(x, dim=1, dtype=torch.float64)",
    "torch.log_softmax(x, 1, dtype=torch.float64)", "torch.nansum(x, dim=1, dtype=torch.float64)",
    "torch.nanmean(x, dtype=torch.float64)", "torch.prod(x, dtype=torch.float64)",
    "torch.norm(x, p=2, dim=1, keepdim=True, dtype=torch.float64)",
    "torch.std_mean(x, dim=1, unbiased=False, keepdim=True)", "torch.var_mean(x, dim=0, unbiased=True)",
    "torch.dropout(input=x, p=0.0, train=True)",
    # nn.functional
    "F.relu(x, inplace=True)", "F.relu6(x, inplace=True)", "F.elu(x, alpha=0.5, inplace=True)",
    "F.celu(x, alpha=2.0, inplace=True)", "F.selu(x, inplace=True)", "F.silu(x, inplace=True)",
    "F.mish(x, inplace=True)", "F.hardsigmoid(x, inplace=True)", "F.hardswish(x, inplace=True)",
    "F.hardtanh(x, min_val=-0.5, max_val=0.5, inplace=True)", "F.leaky_relu(x, negative_slope=0.2, inplace=True)",
    "F.threshold(x, threshold=0.1, value=-1.0, inplace=True)",
    "F.dropout(x, p=0.5, training=False, inplace=True)", "F.alpha_dropout(x, p=0.5, training=False, inplace=False)",
    "F.dropout1d(x, p=0.5, training=False, inplace=False)",
    "F.dropout2d(x.reshape(1, 2, 3), p=0.5, training=False, inplace=False)",
    "F.softmax(x, dim=1, dtype=torch.float64)", "F.log_softmax(x, dim=0, dtype=torch.float64)",
    "F.softmin(x, dim=1, dtype=torch.float64)", "F.normalize(x, p=1.0, dim=0, eps=1e-6)",
    "F.pad(x, pad=(1, 2), mode='constant', value=0.5)", "F.one_hot(input=i, num_classes=4)",
    "F.embedding(i, m, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)",
    "F.instance_norm(x.reshape(1, 2, 3), use_input_stats=True, momentum=0.2, eps=1e-3)",
    "F.mse_loss(x, y, size_average=False, reduce=True, weight=p)", "F.mse_loss(x, y, weight=p)",
    "F.l1_loss(x, y, size_average=True, reduce=True, weight=p)", "F.l1_loss(x, y, reduce=False, weight=p)",
    "F.huber_loss(x, y, reduction='mean', delta=0.5, weight=p)", "F.smooth_l1_loss(x, y, size_average=False)",
    "F.smooth_l1_loss(x, y, reduce=False)", "F.binary_cross_entropy(p, p.flip(0), size_average=False, reduce=True)",
    "F.binary_cross_entropy_with_logits(x, p, size_average=True, reduce=False)",
    "F.cross_entropy(x, i[:, 0], size_average=False, reduce=True)",
    "F.nll_loss(x, i[:, 0], size_average=False, reduce=True)",
    "F.kl_div(x, p, size_average=False, reduce=True, log_target=False)",
    "F.poisson_nll_loss(x, p, log_input=True, full=False, size_average=False, eps=1e-6, reduce=True)",
    "F.cosine_embedding_loss(x, y, torch.tensor([1.0, -1.0]), margin=0.1, size_average=False, reduce=True)",
    "F.hinge_embedding_loss(x, torch.ones(2, 3), margin=0.5, size_average=False, reduce=False)",
    "F.margin_ranking_loss(v, v.flip(0), torch.ones(3), margin=0.2, size_average=False, reduce=True)",
    "F.multilabel_soft_margin_loss(x, p.round(), size_average=False, reduce=True)",
    "F.soft_margin_loss(x, torch.ones(2, 3), size_average=False, reduce=False)",
    "F.triplet_margin_loss(x, y, x.flip(0), margin=1.0, p=2, eps=1e-5, swap=True, size_average=False, "
    "reduce=True)",
    # linalg
    "torch.linalg.inv_ex(A=m, check_errors=True)", "torch.linalg.solve(A=m, B=x.T, left=True)",
    "torch.linalg.matrix_norm(input=m, ord='fro', dim=(0, 1), keepdim=True, dtype=torch.float64)",
    "torch.linalg.norm(input=x, ord=None, dim=1, keepdim=True, dtype=torch.float64)",
    "torch.linalg.vector_norm(input=x, ord=1, dim=0, keepdim=False, dtype=torch.float64)",
    # methods
    "m.addmm_(m.T.clone(), m.clone(), beta=0.5, alpha=2.0)", "x.aminmax(dim=1, keepdim=True)",
    "x.argsort(dim=1, descending=False, stable=True)", "x.sort(dim=0, descending=True, stable=False)",
    "x.requires_grad_(requires_grad=True).exp().backward(gradient=torch.ones(2, 3), retain_graph=False, "
    "create_graph=False, inputs=None)",
    "c.bincount(weights=None, minlength=5)", "x.clone(memory_format=None)",
    "x.cpu(memory_format=None)", "x.copy_(other=y, non_blocking=False)",
    "x.divide(y, rounding_mode='trunc')", "x.expand(2, 2, 3, implicit=False)", "x.fill_(value=2.5)",
    "x.gather(1, i, sparse_grad=False)", "x.softmax(dim=1, dtype=torch.float64)",
    "x.log_softmax(1, dtype=torch.float64)", "x.nansum(dtype=torch.float64)", "x.nanmean(dtype=torch.float64)",
    "x.prod(dtype=torch.float64)", "x.norm(p=2, dim=0, dtype=torch.float64)", "x.nonzero(as_tuple=True)",
    "x.numpy(force=True)", "x.repeat_interleave(2, dim=1, output_size=6)", "x.round(decimals=1)",
    "x.round_(decimals=1)",
    "x.size(dim=1)", "x.stride(dim=0)", "x.subtract(y, alpha=0.5)",
    "x.tensor_split(tensor_indices_or_sections=torch.tensor([1, 2]), dim=1)",
    "x.to(dtype=torch.float64, non_blocking=False, copy=True, memory_format=None)",
    "x.to(device='cpu', dtype=torch.float64)", "x.topk(k=2, dim=1, largest=True, sorted=True)",
    "x.type(dtype=torch.float64, non_blocking=False)", "x.view(dtype=torch.int32)",
    "i.unique(sorted=True, return_inverse=True, return_counts=True, dim=None)",
    "i.unique(sorted=True, return_inverse=False, return_counts=True, dim=1)",
    "i.unique_consecutive(return_inverse=True, return_counts=True, dim=None)",
    "x.requires_grad_(requires_grad=True).register_hook(hook=lambda g: g * 2) is not None",
    "x.requires_grad_().register_post_accumulate_grad_hook(hook=lambda t: None) is not None",
    # in-place forms (tests/test_tensor_methods.py)
    "x.clone().cumsum_(dim=1, dtype=torch.float32)", "x.clone().cumprod_(dim=0, dtype=torch.float32)",
    "x.clone().divide_(other=y, rounding_mode='floor')", "x.double().float_power_(exponent=2)",
    "x.clone().subtract_(other=y, alpha=2)", "x.unsqueeze(0).swapaxes_(axis0=0, axis1=2)",
    "x.clone().swapdims_(dim0=0, dim1=1)", "x.clone().unsqueeze_(dim=1)",
]

SHAPES = [
    f"torch.empty_like(input=i, {_like})",  # (PyTorch's memory is not initialised)
    f"torch.rand(size=(2, 3), generator=torch.Generator(), {_creation})",
    f"torch.randn(size=(2,), generator=torch.Generator(), {_creation})", "torch.randn(2, 3)",
    f"torch.rand_like(input=x, generator=torch.Generator(), {_like})",
    f"torch.randn_like(input=x, generator=torch.Generator(), {_like})",
    "torch.randint_like(input=i, low=1, high=5, generator=torch.Generator(), dtype=torch.int32, layout=None, "
    "device='cpu', pin_memory=False, requires_grad=False, memory_format=None)", "torch.randint_like(i, high=3)",
    "torch.randint(low=0, high=5, size=(2, 3), generator=torch.Generator(), dtype=torch.int32, layout=None, "
    "device='cpu', pin_memory=False, requires_grad=False)", "torch.randint(high=5, size=(3,))",
    "torch.randperm(n=4, generator=torch.Generator(), dtype=torch.int32, layout=None, device='cpu', "
    "pin_memory=False, requires_grad=False)",
    f"torch.normal(mean=0.0, std=1.0, size=(2, 3), generator=torch.Generator(), {_creation})",
    "torch.normal(0, 0.01, size=(2, 1))", "torch.normal(mean=x, std=1.0, generator=torch.Generator())",
    "torch.normal(mean=x, std=p)", "torch.normal(mean=0.5, std=p)",
    "torch.bernoulli(input=p, generator=torch.Generator())", "torch.bernoulli(input=p, p=0.5)",
    "torch.multinomial(input=torch.ones(4), num_samples=2, replacement=False, generator=torch.Generator())",
    "p.bernoulli(p=0.5, generator=torch.Generator())", "x.clone().bernoulli_(p=p, generator=torch.Generator())",
    "torch.ones(4).multinomial(num_samples=2, replacement=True, generator=torch.Generator())",
    "torch.manual_seed(seed=0).initial_seed()", "torch.dropout(input=x, p=0.5, train=True)",
    "x.uniform_(**{'from': -1.0}, to=1.0, generator=torch.Generator())", "x.uniform_(to=0.5)",
    "x.normal_(mean=1.0, std=0.5, generator=torch.Generator())",
]


def _context(lib):
    rng = np.random.default_rng(SEED)
    m = rng.uniform(-1, 1, (3, 3)) + 3 * np.eye(3)
    arrays = dict(x=rng.uniform(-2, 2, (2, 3)), y=rng.uniform(-2, 2, (2, 3)), p=rng.uniform(0.05, 0.95, (2, 3)),
                  m=m, v=rng.uniform(-2, 2, (3,)))
    context = {k: lib.tensor(a.astype(np.float32)) for k, a in arrays.items()}
    context.update(torch=lib, F=lib.nn.functional, i=lib.tensor(rng.integers(0, 3, (2, 3))),
                   c=lib.tensor([0, 1, 1, 3]))
    return context


def _same(d, t, shapes_only, what):
    if isinstance(t, torch.Tensor):
        assert_same(d, t, _SHAPES_ONLY if shapes_only else _VALUES, str(t.dtype).replace("torch.", ""), what=what)
    elif isinstance(t, (tuple, list)):
        assert isinstance(d, (tuple, list)) and len(d) == len(t), f"{what}: {d!r} vs {t!r}"
        for a, b in zip(d, t):
            _same(a, b, shapes_only, what)
    elif isinstance(t, torch.dtype):
        assert str(d) == str(t).replace("torch.", "dxdy."), f"{what}: {d} vs {t}"
    elif isinstance(t, np.ndarray):
        np.testing.assert_allclose(d, t, rtol=1e-6, err_msg=what)
    else:
        assert d == t or shapes_only and type(d) is type(t), f"{what}: {d!r} vs {t!r}"


_VALUES = OpInfo("hand-written", None)
_SHAPES_ONLY = OpInfo("hand-written", None, nondeterministic=True)


@pytest.mark.parametrize("expression, shapes_only", [(e, False) for e in VALUES] + [(e, True) for e in SHAPES])
def test_hand_written_call_by_keyword(expression, shapes_only):
    """A call by PyTorch's keyword names that the op table does not make: dxdy accepts it, same result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = eval(expression, _context(torch))
        try:
            d_out = eval(expression, _context(dxdy))
        except Exception as e:
            pytest.fail(f"{expression}: PyTorch accepts it, dxdy raises {type(e).__name__}: {e}")
    _same(d_out, t_out, shapes_only, expression)


def _calls_in(expression):
    """(form, path, keyword names) of each call in a hand-written expression."""
    for node in ast.walk(ast.parse(expression, mode="eval")):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain, f = [], node.func
        while isinstance(f, ast.Attribute):
            chain.insert(0, f.attr)
            f = f.value
        names = {k.arg for k in node.keywords if k.arg is not None}
        names |= {key.value for k in node.keywords if isinstance(k.value, ast.Dict) for key in k.value.keys}
        if isinstance(f, ast.Name) and f.id in ("torch", "F"):
            yield "function", ("nn.functional." if f.id == "F" else "") + ".".join(chain), names
        else:
            yield "method", chain[-1], names


# -- every name PyTorch gives is called by keyword -----------------------------------------------
def public_callables():
    """(form, path) of each public dxdy function and Tensor method that PyTorch has too."""
    found = []
    for prefix, module, names in (("", dxdy, dxdy.__all__),
                                  ("nn.functional.", dxdy.nn.functional, dir(dxdy.nn.functional)),
                                  ("linalg.", dxdy.linalg, dir(dxdy.linalg))):
        for name in names:
            d, t = getattr(module, name, None), resolve(torch, prefix + name) if _has(torch, prefix + name) else None
            if not name.startswith("_") and callable(d) and callable(t) and not isinstance(d, type) \
                    and not isinstance(t, type):
                found.append(("function", prefix + name))
    for name in dir(dxdy.Tensor):
        d, t = getattr(dxdy.Tensor, name), getattr(torch.Tensor, name, None)
        if not name.startswith("_") and callable(d) and callable(t) and not isinstance(d, property):
            found.append(("method", name))
    return found


def _has(lib, path):
    try:
        resolve(lib, path)
        return True
    except AttributeError:
        return False


def called_names():
    """(form, path) -> the names some call of this test passed by keyword (and PyTorch accepted)."""
    called = {}
    for i, info in enumerate(OP_DB):
        for call in keyword_calls(i):
            form = "function" if call.form == "function" else "method"
            names = called.setdefault((form, call.path), set())
            names.update(call.keywords[call.n_positional:])
            names.update(_samples(info)[call.index].kwargs)
    for expression in VALUES + SHAPES:
        for form, path, names in _calls_in(expression):
            called.setdefault((form, path), set()).update(names)
    # A top-level function that is nn.functional's (dxdy.conv2d is dxdy.nn.functional.conv2d, as in PyTorch) is
    # called by the calls of nn.functional's.
    for name in dxdy.__all__:
        if getattr(dxdy.nn.functional, name, None) is getattr(dxdy, name):
            called.setdefault(("function", name), set()).update(called.get(("function", "nn.functional." + name), ()))
    return called


def test_every_name_is_called_by_keyword():
    called = called_names()
    missing = {}
    for form, path in public_callables():
        names = {p.name for overload in torch_overloads(path, form == "method") for p in overload
                 if p.kind in ("pos", "kw")} - NUMBER_OVERLOAD_NAMES - {"out"}
        left = names - called.get((form, path), set()) - set(NOT_CALLED.get((form, path), {}))
        if left:
            missing[f"{form} {path}"] = sorted(left)
    assert not missing, f"names never passed by keyword (add a call, or a reason to NOT_CALLED): {missing}"


# Names of PyTorch's that no call here passes, and why.
_STUB = "PyTorch's stub lists it, but PyTorch refuses it by that name"
NOT_CALLED = {
    ("function", "mm"): {"out_dtype": "PyTorch runs mm(out_dtype=) on CUDA only (NotImplementedError on the CPU)"},
    ("function", "bmm"): {"out_dtype": "as mm"},
    ("function", "addmm"): {"out_dtype": "as mm"},
    ("function", "full"): {"names": "named tensors are not part of dxdy"},
    ("function", "range"): {"pin_memory": "PyTorch's stub lists it, but torch.range refuses it (TypeError)",
                            "layout": "torch.range takes only a torch.layout there, and dxdy has no torch.strided"},
    ("function", "compile"): dict.fromkeys(
        ["model", "fullgraph", "dynamic", "backend", "mode", "options", "disable", "name", "recompile_limit",
         "isolate_recompiles", "shapes_spec"], "dxdy.compile takes any keyword and returns the function unchanged"),
    ("function", "scatter"): {"reduce": "dxdy refuses scatter's reduce= (NotImplementedError: use scatter_add, "
                                        "or scatter_reduce)"},
    ("method", "scatter"): {"reduce": "as torch.scatter"},
    ("method", "scatter_"): {"reduce": "as torch.scatter"},
    ("function", "from_numpy"): {"ndarray": "PyTorch takes no keyword arguments there"},
    ("function", "set_num_threads"): {"num": "PyTorch takes no keyword arguments there"},
    ("function", "nn.functional.softmax"): {"_stacklevel": "a private parameter of PyTorch's"},
    ("function", "nn.functional.log_softmax"): {"_stacklevel": "a private parameter of PyTorch's"},
    ("function", "nn.functional.softmin"): {"_stacklevel": "a private parameter of PyTorch's"},
    ("function", "nn.functional.one_hot"): {"tensor": _STUB + " (it takes input)"},
    ("method", "requires_grad_"): {"mode": _STUB + " (it takes requires_grad)"},
    ("method", "new_tensor"): {"pin_memory": _STUB},
    ("method", "to"): {"other": _STUB},
    ("method", "contiguous"): {"memory_format": "PyTorch refuses memory_format=None, and dxdy has no memory "
                                                "formats (torch.contiguous_format) to pass"},
    ("method", "is_contiguous"): {"memory_format": "as contiguous"},
    ("method", "cuda"): dict.fromkeys(["device", "non_blocking", "memory_format"], "dxdy has no CUDA"),
}
