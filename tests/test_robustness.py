"""Numerical robustness at the edges, against PyTorch: values and gradients at 0, +-inf, NaN and huge magnitudes.

Every case runs the same function on dxdy and on PyTorch, in float32 and float64, with
every float input a leaf that requires grad; the forward results and all the leaves'
gradients must agree: NaN where PyTorch has NaN, infinities of the same sign where it
has them, finite values close. Cases about `where` also compare the sign of every zero.

Where PyTorch itself answers differently by the length of the tensor (its vectorised
kernels and their scalar tail disagree on NaN or -0.0 for a few ops), the case leaves
that input out and says so.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import dxdy

INF, NAN = math.inf, math.nan
EDGE = object()  # stands for the edge values of the dtype under test

_COMMON = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 20.0, -20.0, 50.0, -50.0, 1e4, -1e4, 1e30, -1e30, 1e-30, -1e-30,
           INF, -INF, NAN]
EDGES = {"float32": _COMMON + [3e38, -3e38, 1e-45],
         "float64": _COMMON + [3e38, -3e38, 1e300, -1e300, 1e-300, 1.7e308, -1.7e308]}
RTOL = {"float32": 2e-6, "float64": 1e-12}
ATOL = {"float32": 1e-6, "float64": 1e-14}


class Case:
    """`f(lib, *leaves)`; `args` are the leaves' values (EDGE: the dtype's edge values)."""

    def __init__(self, name, f, *args, exact=False):
        self.name, self.f, self.args, self.exact = name, f, args, exact

    def __repr__(self):
        return self.name


def _values(arg, dtype):
    return EDGES[dtype] if arg is EDGE else arg(dtype) if callable(arg) else arg


def _without_negative_zero(dtype):
    # PyTorch's logit gradient at -0.0 is +inf from its scalar kernel but -inf from its vector kernel (16
    # or more elements): no answer to match. dxdy gives +inf, as at +0.0.
    return [v for v in EDGES[dtype] if not (v == 0 and math.copysign(1.0, v) < 0)]


def _without_nan(dtype):
    # hardtanh, relu6, elu and logit(eps): PyTorch's gradient at NaN is 1 (or NaN) from the scalar kernel and
    # 0 (or NaN) from the vector kernel. dxdy gives the vector kernel's answer.
    return [v for v in EDGES[dtype] if v == v]


def run(lib, case, dtype):
    leaves = [lib.tensor(_values(a, dtype), dtype=getattr(lib, dtype), requires_grad=True) for a in case.args]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's floating-point warnings: PyTorch says nothing here
        out = case.f(lib, *leaves)
        out.backward(lib.ones_like(out))
    grads = [None if x.grad is None else x.grad.detach().numpy().copy() for x in leaves]
    return out.detach().numpy().copy(), grads


def assert_same(ours, theirs, dtype, what, exact=False):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, PyTorch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype}, PyTorch {theirs.dtype}"
    if exact:  # zeros of the same sign (NumPy's and PyTorch's exp, log, ... may differ in the last bit)
        zeros = (ours == 0) | (theirs == 0)
        same = ~zeros | ((ours == theirs) & (np.signbit(ours) == np.signbit(theirs)))
        assert same.all(), f"{what}: zeros differ from PyTorch's\n ours   {ours}\n torch's {theirs}"
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    nan_ok = np.isnan(a) == np.isnan(b)
    inf_ok = (np.isinf(a) == np.isinf(b)) & (~np.isinf(b) | (a == b))
    finite = np.isfinite(a) & np.isfinite(b)
    a0, b0 = np.where(finite, a, 0), np.where(finite, b, 0)
    close = ~finite | (np.abs(a0 - b0) <= ATOL[dtype] + RTOL[dtype] * np.abs(b0))
    bad = ~(nan_ok & inf_ok & close)
    assert not bad.any(), (f"{what} differs from PyTorch at {np.argwhere(bad).tolist()[:8]}\n"
                           f" ours    {a[bad][:8]}\n torch's {b[bad][:8]}")


def F(lib):
    return lib.nn.functional


def _like(x, lib, values):
    return lib.tensor(values, dtype=x.dtype)


# -- the cases ---------------------------------------------------------------------------------------------
UNARY = [
    Case("exp", lambda lib, x: lib.exp(x), EDGE),
    Case("log", lambda lib, x: lib.log(x), EDGE),
    Case("tanh", lambda lib, x: lib.tanh(x), EDGE),
    Case("atanh", lambda lib, x: lib.atanh(x), EDGE),
    Case("erf", lambda lib, x: lib.erf(x), EDGE),
    Case("erfc", lambda lib, x: lib.erfc(x), EDGE),
    Case("sigmoid", lambda lib, x: lib.sigmoid(x), EDGE),
    Case("F.sigmoid", lambda lib, x: F(lib).sigmoid(x), EDGE),
    Case("sqrt", lambda lib, x: lib.sqrt(x), EDGE),
    Case("sqrt-method", lambda lib, x: x.sqrt(), EDGE),
    Case("expm1", lambda lib, x: lib.expm1(x), EDGE),
    Case("log1p", lambda lib, x: lib.log1p(x), EDGE),
    Case("logit", lambda lib, x: lib.logit(x), _without_negative_zero),
    Case("logit-eps", lambda lib, x: lib.logit(x, eps=1e-6), _without_nan),
    Case("logit-eps-0", lambda lib, x: lib.logit(x, eps=0.0), _without_negative_zero),
    Case("logit-negative-zero", lambda lib, x: lib.logit(x), [-0.0, 0.5]),
    Case("logit-eps-0.25", lambda lib, x: lib.logit(x, 0.25), [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, NAN]),
    Case("relu", lambda lib, x: lib.relu(x), EDGE),
    Case("F.relu6", lambda lib, x: F(lib).relu6(x), _without_nan),
    Case("F.hardtanh", lambda lib, x: F(lib).hardtanh(x), _without_nan),
    Case("F.elu", lambda lib, x: F(lib).elu(x), _without_nan),
    Case("F.logsigmoid", lambda lib, x: F(lib).logsigmoid(x), EDGE),
    Case("softplus", lambda lib, x: F(lib).softplus(x), EDGE),
    Case("softplus-beta2", lambda lib, x: F(lib).softplus(x, beta=2.0), EDGE),
    Case("softplus-beta0.5-threshold5", lambda lib, x: F(lib).softplus(x, beta=0.5, threshold=5.0), EDGE),
    Case("softplus-beta1e-3", lambda lib, x: F(lib).softplus(x, beta=1e-3, threshold=1.0), EDGE),
    Case("softplus-beta-negative", lambda lib, x: F(lib).softplus(x, beta=-1.0), EDGE),
]

_ROWS = [[0.0, 0.0, 0.0], [1e4, 0.0, -1e4], [1e30, 1e30, -1e30], [3e38, 3e38, 0.0], [-3e38, -3e38, -3e38],
         [INF, 0.0, 1.0], [INF, INF, 0.0], [-INF, -INF, -INF], [-INF, 0.0, 1.0], [NAN, 0.0, 1.0], [INF, -INF, 0.0],
         [-INF, 5.0, -INF], [88.0, 89.0, 90.0], [-1e4, -1e4 - 1, -1e4 + 1]]
_ROWS64 = _ROWS + [[1e300, 1e300, -1e300], [1.7e308, 1.7e308, 0.0], [-1.7e308, 1.7e308, 0.0], [709.0, 710.0, 0.0]]
_CUBE = [[[0.0, 1e4, -1e4], [INF, 0.0, 1.0]], [[-INF, -INF, -INF], [NAN, 2.0, 3.0]],
         [[3e38, 3e38, -3e38], [1e30, -1e30, 0.0]]]


def _softmax_cases():
    cases = []
    for rows, tag in ((_ROWS, ""), (_ROWS64, "-more")):
        for dim in (0, 1, -1):
            cases += [Case(f"log_softmax-rows{tag}-dim{dim}", lambda lib, x, d=dim: lib.log_softmax(x, d), rows),
                      Case(f"softmax-rows{tag}-dim{dim}", lambda lib, x, d=dim: lib.softmax(x, d), rows),
                      Case(f"logsumexp-rows{tag}-dim{dim}", lambda lib, x, d=dim: lib.logsumexp(x, d), rows)]
    for dim in (0, 1, 2):
        cases += [Case(f"F.log_softmax-cube-dim{dim}", lambda lib, x, d=dim: F(lib).log_softmax(x, dim=d), _CUBE),
                  Case(f"logsumexp-cube-keepdim-dim{dim}", lambda lib, x, d=dim: lib.logsumexp(x, d, keepdim=True),
                       _CUBE)]
    cases += [Case("logsumexp-cube-dims01", lambda lib, x: lib.logsumexp(x, (0, 1)), _CUBE),
              Case("logsumexp-cube-all", lambda lib, x: lib.logsumexp(x, (0, 1, 2)), _CUBE),
              Case("log_softmax-0d", lambda lib, x: lib.log_softmax(x, 0), INF),
              Case("log_softmax-method", lambda lib, x: x.log_softmax(-1), _ROWS)]
    # Many short rows (224 of 3): their reductions go column by column (numpy_ns.reduce_axis).
    for dim in (1, -1):
        cases += [Case(f"log_softmax-many-rows-dim{dim}", lambda lib, x, d=dim: lib.log_softmax(x, d), _ROWS * 16),
                  Case(f"softmax-many-rows-dim{dim}", lambda lib, x, d=dim: lib.softmax(x, d), _ROWS * 16)]
    return cases


_LOGITS = [[0.0, 1e4, -1e4], [1e30, -1e30, 0.0], [3e38, -3e38, 0.0], [-INF, 0.0, 1.0], [NAN, 1.0, 2.0],
           [INF, 0.0, 0.0], [50.0, -50.0, 0.0], [-1e4, -1e4, -1e4]]
_CLASSES = [1, 0, 2, 0, 1, 2, 1, 0]
_PROBS = [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0],
          [0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3]]


def _cross_entropy_cases():
    cases = []
    for red in ("mean", "sum", "none"):
        cases += [
            Case(f"cross_entropy-{red}",
                 lambda lib, x, r=red: F(lib).cross_entropy(x, lib.tensor(_CLASSES), reduction=r), _LOGITS),
            Case(f"cross_entropy-weight-{red}",
                 lambda lib, x, r=red: F(lib).cross_entropy(x, lib.tensor(_CLASSES), weight=_like(x, lib, [1., 2., 0.5]),
                                                            reduction=r), _LOGITS),
            Case(f"cross_entropy-ignore_index-{red}",
                 lambda lib, x, r=red: F(lib).cross_entropy(x, lib.tensor([1, -100, 2, 1, -100, -100, 1, 0]),
                                                            reduction=r), _LOGITS),
            Case(f"cross_entropy-label_smoothing-{red}",
                 lambda lib, x, r=red: F(lib).cross_entropy(x, lib.tensor(_CLASSES), label_smoothing=0.2, reduction=r),
                 _LOGITS),
            Case(f"cross_entropy-probabilities-{red}",
                 lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r), _LOGITS, _PROBS),
            Case(f"cross_entropy-probabilities-smoothing-{red}",
                 lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, label_smoothing=0.1, reduction=r), _LOGITS, _PROBS),
        ]
    cases += [
        Case("cross_entropy-many-rows", lambda lib, x: F(lib).cross_entropy(x, lib.tensor(_CLASSES * 24)), _LOGITS * 24),
        Case("cross_entropy-unbatched", lambda lib, x: F(lib).cross_entropy(x, lib.tensor(0)), [-INF, 0.0, 1e30]),
        Case("cross_entropy-4d", lambda lib, x: F(lib).cross_entropy(x, lib.tensor([[[1, 0]]])),
             [[[[0.0, 1e30]], [[INF, 0.0]], [[-1e4, 2.0]]]]),
        Case("nll_loss-inf-nan", lambda lib, x: F(lib).nll_loss(x, lib.tensor([1, 0, 1])),
             [[-INF, NAN], [0.0, -1e30], [NAN, -INF]]),
    ]
    return cases


_BCE_LOGITS = [0.0, 1e4, -1e4, 1e30, -1e30, 3e38, -3e38, INF, -INF, NAN, 20.0, -20.0, 50.0, -50.0, 100.0, -100.0]
_PROBABILITIES = [0.0, 1.0, 0.5, 1e-30, 1.0 - 1e-7, 1e-45, 1e-12, 0.999]


def _bce_cases():
    cases = []
    n, m = len(_BCE_LOGITS), len(_PROBABILITIES)
    for t in (0.0, 1.0, 0.3):
        for red in ("none", "mean", "sum"):
            cases += [
                Case(f"bce_with_logits-t{t}-{red}",
                     lambda lib, x, y, r=red: F(lib).binary_cross_entropy_with_logits(x, y, reduction=r),
                     _BCE_LOGITS, [t] * n),
                Case(f"bce_with_logits-pos_weight-t{t}-{red}",
                     lambda lib, x, y, r=red: F(lib).binary_cross_entropy_with_logits(
                         x, y, reduction=r, pos_weight=_like(x, lib, [2.5] * n)), _BCE_LOGITS, [t] * n),
                Case(f"binary_cross_entropy-t{t}-{red}",
                     lambda lib, p, y, r=red: F(lib).binary_cross_entropy(p, y, reduction=r),
                     _PROBABILITIES, [t] * m),
            ]
        cases += [
            Case(f"bce_with_logits-weight-pos_weight-t{t}",
                 lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(
                     x, y, weight=_like(x, lib, [0.5] * n), pos_weight=_like(x, lib, [0.25] * n), reduction="sum"),
                 _BCE_LOGITS, [t] * n),
            Case(f"bce_with_logits-broadcast-pos_weight-t{t}",
                 lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y, pos_weight=_like(x, lib, [3.0, 0.5])),
                 [[0.0, -INF], [INF, -1e30], [1e30, NAN]], [[t, t]] * 3),
            Case(f"binary_cross_entropy-weight-t{t}",
                 lambda lib, p, y: F(lib).binary_cross_entropy(p, y, weight=_like(p, lib, [2.0] * m), reduction="sum"),
                 _PROBABILITIES, [t] * m),
        ]
    return cases


_VECTORS = [[0.0, 0.0, 0.0], [0.0, -0.0, 0.0], [0.0, 3.0, -4.0], [1e30, 1e30, 0.0], [1e-30, 0.0, 0.0],
            [INF, 1.0, 0.0], [-INF, INF, 0.0], [NAN, 1.0, 0.0], [1e200, -1e200, 0.0], [1e-200, 0.0, 0.0],
            [2.0, -2.0, 1.0]]


def _norm_cases():
    cases = []
    for p in (1, 2, INF, -INF, 0, 0.5, 3, -1, 1.5, 2.5):
        for k, v in enumerate(_VECTORS):
            cases.append(Case(f"vector_norm-p{p}-{v}", lambda lib, x, p=p: lib.linalg.vector_norm(x, p), v))
        cases += [
            Case(f"vector_norm-p{p}-dim", lambda lib, x, p=p: lib.linalg.vector_norm(x, p, dim=1), _VECTORS),
            Case(f"vector_norm-p{p}-keepdim", lambda lib, x, p=p: lib.linalg.vector_norm(x, p, dim=0, keepdim=True),
                 _VECTORS),
            Case(f"norm-p{p}-zero", lambda lib, x, p=p: lib.norm(x, p), [0.0, 0.0]),
            Case(f"norm-method-p{p}-zero-rows", lambda lib, x, p=p: x.norm(p=p, dim=1), [[0.0, 0.0], [0.0, 1.0]]),
        ]
    cases += [Case("norm-default-zero", lambda lib, x: lib.norm(x), [[0.0, 0.0], [0.0, 0.0]]),
              Case("norm-fro-zero", lambda lib, x: x.norm("fro"), [0.0, 0.0, 0.0]),
              Case("norm-default-dim", lambda lib, x: x.norm(dim=0), [[0.0, 0.0], [0.0, 1.0]])]
    return cases


_EXPONENTS = [0.0, 0.5, 1.0, 2.0, -1.0, -0.5, 3.0, -2.0, 1.5, INF, -INF, NAN]
_BASES = [0.0, -0.0, 1.0, 2.0, -2.0, 0.5, INF, -INF, NAN, 1e30, -1e30]


def _pow_cases():
    cases = []
    for y in (0, 0.5, 1, 2, -1, 0.0, 1.0, 2.0, -1.0, -0.5, 3, -2, 1.5):
        cases += [Case(f"zeros**{y!r}", lambda lib, x, y=y: x ** y, [0.0, -0.0, 0.0]),
                  Case(f"pow(zeros,{y!r})", lambda lib, x, y=y: lib.pow(x, y), [0.0, 0.0]),
                  Case(f"edges**{y!r}", lambda lib, x, y=y: x ** y, _BASES)]
    for b in (0, 0.0, 2.0, 0.5):
        cases += [Case(f"{b!r}**exponents", lambda lib, e, b=b: b ** e, _EXPONENTS),
                  Case(f"pow({b!r},exponents)", lambda lib, e, b=b: lib.pow(b, e), _EXPONENTS)]
    cases += [
        Case("zeros**exponents-tensor", lambda lib, x, e: x ** e, [0.0] * len(_EXPONENTS), _EXPONENTS),
        Case("zero**exponents-broadcast", lambda lib, x, e: lib.pow(x, e), [0.0], _EXPONENTS),
        Case("edges**2-tensor", lambda lib, x, e: x ** e, _BASES, [2.0]),
        Case("edges**0.5-tensor", lambda lib, x, e: x ** e, _BASES, [0.5]),
        Case("edges**-1-tensor", lambda lib, x, e: x ** e, _BASES, [-1.0]),
        Case("edges**0-tensor", lambda lib, x, e: x ** e, _BASES, [0.0]),
    ]
    return cases


_WHERE = [0.0, -1.0, 1.0, 2.0, INF, -INF, NAN, 1e30, -1e30, -0.0, 1e-30]


def _where_cases():
    exact = {"exact": True}
    return [
        Case("where-log-zeros", lambda lib, x: lib.where(x > 0, lib.log(x), lib.zeros_like(x)), _WHERE, **exact),
        Case("where-log-scalar", lambda lib, x: lib.where(x > 0, lib.log(x), 0.0), _WHERE, **exact),
        Case("where-sqrt", lambda lib, x: lib.where(x > 0, lib.sqrt(x), 0.0), _WHERE, **exact),
        Case("where-reciprocal", lambda lib, x: lib.where(x != 0, 1 / x, 0.0), _WHERE, **exact),
        Case("where-exp-overflow", lambda lib, x: lib.where(x < 10, lib.exp(x), x), _WHERE, **exact),
        Case("where-pow-half", lambda lib, x: lib.where(x > 0, x ** 0.5, x), _WHERE, **exact),
        Case("where-atanh", lambda lib, x: lib.where(x.abs() < 1, lib.atanh(x), 0.0), _WHERE, **exact),
        Case("where-two-leaves", lambda lib, x, y: lib.where(x > y, x, y), _WHERE, [1.0] * len(_WHERE), **exact),
        Case("where-inf-branch", lambda lib, x: lib.where(x > 0, x, lib.full_like(x, INF)), _WHERE, **exact),
        Case("where-nan-branch", lambda lib, x: lib.where(x > 0, x, lib.full_like(x, NAN)), _WHERE, **exact),
        Case("where-nan-scalar", lambda lib, x: lib.where(x > 0, x, NAN), _WHERE, **exact),
        Case("where-inf-scalar-first", lambda lib, x: lib.where(x > 0, INF, x), _WHERE, **exact),
        Case("where-times-inf", lambda lib, x: lib.where(x > 0, x * INF, x), _WHERE, **exact),
        Case("where-safe-log", lambda lib, x: lib.where(x > 0, lib.log(lib.where(x > 0, x, 1.0)), 0.0), _WHERE,
             **exact),
        Case("where-broadcast-nan-leaf", lambda lib, x, y: lib.where(x > 0, lib.log(x), y), [_WHERE], [[NAN]],
             **exact),
        Case("where-method", lambda lib, x: lib.log(x).where(x > 0, -INF), _WHERE, **exact),
        Case("masked_fill-log", lambda lib, x: lib.log(x).masked_fill(x <= 0, 0.0), _WHERE, **exact),
        Case("where-then-sum", lambda lib, x: lib.where(x > 0, lib.log(x), 0.0).sum(), _WHERE),
    ]


CASES = UNARY + _softmax_cases() + _cross_entropy_cases() + _bce_cases() + _norm_cases() + _pow_cases() + \
    _where_cases()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_values_and_gradients_match_torch(case, dtype):
    out, grads = run(dxdy, case, dtype)
    t_out, t_grads = run(torch, case, dtype)
    assert_same(out, t_out, dtype, "forward", exact=case.exact)
    assert len(grads) == len(t_grads)
    for k, (g, tg) in enumerate(zip(grads, t_grads)):
        assert (g is None) == (tg is None), f"gradient {k}: {g} where PyTorch has {tg}"
        if g is not None:
            assert_same(g, tg, dtype, f"gradient {k}")


def test_the_comparison_can_fail():
    # The checks above would see a NaN for a number, an inf of the wrong sign, or a wrong value.
    with pytest.raises(AssertionError):
        assert_same(np.array([NAN], np.float32), np.array([0.0], np.float32), "float32", "x")
    with pytest.raises(AssertionError):
        assert_same(np.array([-INF]), np.array([INF]), "float64", "x")
    with pytest.raises(AssertionError):
        assert_same(np.array([1.0 + 1e-9]), np.array([1.0]), "float64", "x")
    with pytest.raises(AssertionError):
        assert_same(np.array([0.0]), np.array([-0.0]), "float64", "x", exact=True)
    assert_same(np.array([1.0 + 1e-7], np.float32), np.array([1.0], np.float32), "float32", "x")


def test_binary_cross_entropy_refuses_nan_and_out_of_range_probabilities():
    for bad in ([NAN, 0.5], [1.5, 0.5], [-0.1, 0.5]):
        for lib in (dxdy, torch):
            p = lib.tensor(bad, requires_grad=True)
            with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
                lib.nn.functional.binary_cross_entropy(p, lib.tensor([0.0, 1.0]))


def test_gradients_at_the_edges_have_the_inputs_dtype():
    for lib in (dxdy, torch):
        for dtype in (lib.float32, lib.float64):
            x = lib.tensor([0.0, INF, NAN, -INF], dtype=dtype, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (lib.log_softmax(x, 0).sum() + lib.sqrt(x).sum() + (x ** 0.5).sum() + (0.0 ** x).sum()).backward()
            assert x.grad.dtype == dtype
