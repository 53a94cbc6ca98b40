"""Run a program under PyTorch and under dxdy, and compare everything it returns.

Compared: the structure of results, and for every tensor its dtype, shape,
requires_grad, grad_fn name (for op results) and values. A leaf's `.grad` is
compared the same way, None included. When PyTorch raises, dxdy must raise an
exception of the same built-in type; and whatever PyTorch does, an exception dxdy
raises must come from a raise of its own, never from NumPy or Python's internals
(tests/error_origin.py).

Values are compared element by element with a tolerance made of three parts:

    |dxdy - torch| <= atol * max(1, max|torch|) + rtol * |torch| + 2 * sensitivity

- by dtype, relative to the tensor's magnitude, so that a large tensor's small
  elements are not held to an absolute error their computation cannot give;
  derivatives get looser tolerances than forward values, second derivatives looser still;
- `sensitivity`: how far PyTorch's own result moves when the program's input values
  are nudged by a few units of rounding (two runs under `Perturbed`). Rounding makes
  two correct libraries differ by about that much: a lot where a program is ill
  conditioned (a standard deviation of equal values, a floor near a whole number,
  a comparison of near-equal values), nothing where it is well conditioned. An
  element whose integer or boolean value, or NaN-ness, changes under the nudge may
  differ freely; a tensor whose shape changes (nonzero) is compared by shape only.
"""
import dataclasses
import warnings

import numpy as np
import torch

import dxdy
from error_origin import builtin_type, leak

NUDGES = 2  # perturbed PyTorch runs per program
NUDGE_ULPS = 4  # how far each input value is nudged, in units of rounding of its dtype


@dataclasses.dataclass(frozen=True)
class Tol:
    rtol: float
    atol: float
    nan_ok: bool = False  # whether dxdy may be finite where PyTorch is NaN


# (forward, first derivatives, second derivatives). At singular points (0 ** y, the norm of zeros) PyTorch's
# second-derivative formulas give NaN where the derivative exists, and dxdy gives it: accepted there.
TOLERANCES = {
    "float64": (Tol(1e-7, 1e-9), Tol(1e-6, 1e-8), Tol(1e-5, 1e-7, nan_ok=True)),
    "float32": (Tol(1e-4, 1e-5), Tol(1e-3, 1e-4), Tol(1e-2, 1e-3, nan_ok=True)),
}
HALF = Tol(1e-2, 1e-2)  # float16 results: one rounding of a slightly different float32 value


def tolerance(name, low_precision):
    """The tolerance for a result, by its name in the program's results and the program's precision."""
    forward, first, second = TOLERANCES["float32" if low_precision else "float64"]
    if name == "g2":
        return second
    if name == "g1" or name.endswith(".grad"):
        return first
    return forward


# Differences from PyTorch kept on purpose (docs/decisions.md): accepted here so that fuzzing keeps
# finding new ones.
def known_missing_error(t_error, d_error, ops=()):
    """Whether dxdy does not raise PyTorch's error for a reason written down in docs/decisions.md.

    `ops`: the names of the ops the program calls, where known.
    """
    if d_error is not None:
        return False
    message = str(t_error)
    # A view that a split or unbind (or no_grad mode) made, whose base then changed in place, is refused by
    # PyTorch as soon as it is used, by dxdy only when backward reaches it (ops/inplace.py, _refresh_views).
    if "is a view and its base or another view of its base has been modified" in message:
        return True
    # PyTorch's bugs, where dxdy gives the derivative: an undefined tensor reaching a kernel (layer_norm's
    # second derivative with a bias and no weight), embedding's second derivative with no indices.
    if "Expected a proper Tensor but got None (or an undefined Tensor in C++)" in message:
        return True
    if "nn.functional.embedding" in ops and message.startswith("cannot reshape tensor of 0 elements"):
        return True
    # Results or operands PyTorch saves and dxdy's rules recompute from the input ("Changing a tensor in place
    # after an op").
    return _MODIFIED in message and bool(_RECOMPUTED & set(ops))


_MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"
_RECOMPUTED = {"std_mean", "slogdet", "linalg.slogdet", "addcdiv"}
_COPIED = {"kron", "tensordot", "einsum"}


def input_as_gradient(t):
    """Whether PyTorch's tensor `t` is an empty input handed back as a gradient: cummax and cummin return
    their input itself as the gradient of an empty one, so it requires grad without create_graph (a bug
    dxdy does not reproduce: docs/decisions.md). An empty tensor has no values to differ in."""
    return t.numel() == 0 and t.is_leaf and t.requires_grad


def known_extra_error(d_error, ops=()):
    """Whether dxdy raises where PyTorch does not for a reason written down in docs/decisions.md: an operand
    that PyTorch's kernel saved as a reshaped copy was changed in place ("Changing a tensor in place after
    an op")."""
    return _MODIFIED in str(d_error) and bool(_COPIED & set(ops))


class Perturbed:
    """PyTorch, except that `tensor(...)` nudges each float value by up to NUDGE_ULPS units of rounding.

    Every value a generated program starts from is a `torch.tensor` literal, so running the
    program with `torch` bound to this shows how its results move under rounding-size changes.
    """

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        return getattr(torch, name)

    def tensor(self, data, dtype=None, requires_grad=False):
        t = torch.tensor(data, dtype=dtype)
        if t.is_floating_point() and t.numel():
            u = torch.from_numpy(self._rng.uniform(-1.0, 1.0, tuple(t.shape))).to(t.dtype)
            t = t * (1 + NUDGE_ULPS * torch.finfo(t.dtype).eps * u)
        return t.requires_grad_(requires_grad)


def compiled(program):
    """The function `program(torch)` that a generated program's source defines."""
    namespace = {}
    exec(program.source, namespace)
    return namespace["program"]


def run(function, lib):
    """(results, None) or (None, exception): `function(lib)`, its warnings silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(lib), None
    except Exception as e:  # the comparison decides whether an exception is a failure
        return None, e


def first_line(exc):
    """An exception's first line of message, with PyTorch's names read as dxdy's (torch.Size, torch.FloatTensor)."""
    return (str(exc).splitlines() or [""])[0].replace("torch.", "dxdy.")


def check_program(program, compare_messages=False):
    """Run a generated `program` in both libraries; raise AssertionError where dxdy differs from PyTorch.

    With compare_messages, an exception's first line of message must be PyTorch's too.
    """
    check_function(compiled(program), compare_messages, program.low_precision, program.node_names,
                   program.random, nudges=NUDGES, ops=program.ops)


def check_function(function, compare_messages=False, low_precision=False, node_names=None, random=(), nudges=0,
                   ops=()):
    """Run `function(torch)` and `function(dxdy)` (each returns a dict of results) and compare them.

    `node_names` maps a result name to the grad_fn name dxdy must give (None or absent: PyTorch's; False:
    any); the values of results named in `random` are not compared; `nudges` perturbed PyTorch runs
    measure how sensitive the results are to rounding (the function must make its inputs with torch.tensor);
    `ops` names the op-table rows the function calls.
    """
    node_names = node_names or {}
    expected, t_error = run(function, torch)
    got, d_error = run(function, dxdy)
    if d_error is not None and leak(d_error) and not isinstance(t_error, AttributeError):
        raise AssertionError(f"NumPy's exception reached the user: {leak(d_error)}: {d_error}\n"
                             f"PyTorch: {t_error!r}") from d_error
    if t_error is not None:
        kind = builtin_type(t_error)
        if known_missing_error(t_error, d_error, ops):
            return
        assert d_error is not None and builtin_type(d_error) is kind, (
            f"PyTorch raised {type(t_error).__name__}: {t_error}\n"
            f"dxdy {'raised ' + type(d_error).__name__ + ': ' + str(d_error) if d_error else 'did not raise'}")
        if compare_messages:
            d_line, t_line = first_line(d_error), first_line(t_error)
            assert d_line == t_line, \
                f"messages differ:\ndxdy:  {d_line}\ntorch: {t_line}"
        return
    if d_error is not None:
        if known_extra_error(d_error, ops):
            return
        raise AssertionError(f"dxdy raised {type(d_error).__name__} where PyTorch did not: {d_error}") from d_error
    nudged = [run(function, Perturbed(seed))[0] for seed in range(nudges)]
    nudged = [r for r in nudged if r is not None]  # a nudge may push a program over an edge: no information
    assert list(got) == list(expected), f"result names {list(got)} vs {list(expected)}"
    for name, t in expected.items():
        node = node_names.get(name)
        graph = name not in ("g1", "g2")
        tol = None if name in random else tolerance(name, low_precision)
        if name == "g2" and not all_finite(expected["g1"]):
            tol = None  # second derivatives where the first are NaN or infinite: a matter of formula
        assert_same(got[name], t, [r[name] for r in nudged], tol, name, node, graph)


def assert_same(d, t, nudged, tol, what, node=None, graph=True):
    """dxdy's `d` is PyTorch's `t` (and `nudged`, its perturbed runs): structure, and for tensors dtype,
    shape, requires_grad, grad_fn name and values.

    `node` is the grad_fn name expected (None: PyTorch's; False: not checked); with graph=False,
    neither requires_grad nor grad_fn is compared (derivatives taken with create_graph=True);
    with tol=None, values are not compared (random ops).
    """
    if isinstance(t, torch.Tensor):
        assert isinstance(d, dxdy.Tensor), f"{what}: expected a Tensor, got {type(d).__name__}"
        assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy."), f"{what}: dtype {d.dtype} vs {t.dtype}"
        assert tuple(d.shape) == tuple(t.shape), f"{what}: shape {tuple(d.shape)} vs {tuple(t.shape)}"
        if graph and not (what.startswith("g") and input_as_gradient(t)):
            assert d.requires_grad == t.requires_grad, \
                f"{what}: requires_grad {d.requires_grad} vs {t.requires_grad}"
        if graph and node is not False and t.grad_fn is not None:
            name = node or t.grad_fn.name().replace("torch::", "dxdy::")
            got = d.grad_fn and d.grad_fn.name()
            assert got == name, f"{what}: grad_fn {got} vs {name}"
        others = [n for n in nudged if isinstance(n, torch.Tensor)]
        if tol is None or any(n.shape != t.shape for n in others):
            return
        assert_close(d.detach().numpy(), values(t), [values(n) for n in others],
                     HALF if t.dtype == torch.float16 else tol, what)
    elif isinstance(t, (tuple, list)):
        assert isinstance(d, (tuple, list)) and len(d) == len(t), \
            f"{what}: {type(d).__name__} of {len(d) if hasattr(d, '__len__') else '?'} vs {type(t).__name__} of {len(t)}"
        for i, (a, b) in enumerate(zip(d, t)):
            others = [n[i] for n in nudged if isinstance(n, (tuple, list)) and len(n) == len(t)]
            assert_same(a, b, others, tol, f"{what}[{i}]", node, graph)
    elif t is None:
        assert d is None, f"{what}: expected None, got {type(d).__name__}"
    else:
        # A Python value (equal(), allclose()): it may differ only if a nudge changes PyTorch's
        assert type(d) is type(t) and (d == t or any(n != t for n in nudged)), f"{what}: {d!r} vs {t!r}"


def all_finite(result):
    """Whether every tensor in `result` (a tensor, None, or tuples of them) is finite."""
    if isinstance(result, torch.Tensor):
        return bool(torch.isfinite(result.detach()).all())
    if isinstance(result, (tuple, list)):
        return all(all_finite(r) for r in result)
    return True


def values(t):
    # force=True reads PyTorch's ZeroTensor (the gradient it gives sgn, say) as the zeros it stands for
    return t.detach().numpy(force=True)


def assert_close(a, b, nudged, tol, what):
    """Element-wise closeness of dxdy's `a` to PyTorch's `b`, widened by how far `nudged` moved from `b`."""
    free = np.zeros(b.shape, bool)  # elements whose kind of value a nudge changes: anything goes there
    if tol.nan_ok and b.dtype.kind == "f":
        free |= np.isnan(b) & np.isfinite(a)
    for n in nudged:
        free |= (n != b) if b.dtype.kind in "biu" else (np.isnan(n) != np.isnan(b)) | (np.isinf(n) != np.isinf(b))
    if b.dtype.kind in "biu":
        bad = (a != b) & ~free
        assert not bad.any(), f"{what}: values differ at {np.argwhere(bad).tolist()}\ndxdy:  {a}\ntorch: {b}"
        return
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    special = ~np.isfinite(b) & ~free
    same_special = (np.isnan(a[special]) == np.isnan(b[special])).all() and \
        (a[special & ~np.isnan(b)] == b[special & ~np.isnan(b)]).all()
    assert same_special, f"{what}: NaN or infinity differ\ndxdy:  {a}\ntorch: {b}"
    check = np.isfinite(b) & ~free
    if not check.any():
        return
    with np.errstate(invalid="ignore"):  # inf - inf where elements are not checked
        spread = np.zeros(b.shape)
        for n in nudged:
            spread = np.maximum(spread, np.abs(np.asarray(n, np.float64) - b))
        err = np.abs(a - b)[check]
    scale = max(1.0, float(np.abs(b[check]).max()))
    bound = (tol.atol * scale + tol.rtol * np.abs(b) + 2 * spread)[check]
    assert (err <= bound).all(), (f"{what}: values differ (max error {err.max():.3g}, "
                                  f"tolerance rtol={tol.rtol} atol={tol.atol} x {scale:.3g})\n"
                                  f"dxdy:  {a}\ntorch: {b}")
