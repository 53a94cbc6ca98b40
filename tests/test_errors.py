"""Errors that teach: PyTorch's exception type and first line, then a line that says how to fix it."""
import warnings

import pytest
import torch

import dxdy


def errors(fn):
    """The dxdy and torch exceptions of fn(lib)."""
    caught = []
    for lib in (dxdy, torch):
        with pytest.raises(Exception) as err:
            fn(lib)
        caught.append(err.value)
    return caught


def teaches(fn, *phrases):
    d, t = errors(fn)
    assert type(d).__name__ == type(t).__name__
    first, *rest = str(d).splitlines()
    assert first == str(t).splitlines()[0].replace("torch.", "dxdy.")
    assert rest and rest[0].startswith("To fix:"), str(d)
    for phrase in phrases:
        assert phrase in rest[0], (phrase, rest[0])
    return rest[0]


def test_non_scalar_backward_names_the_shape_and_both_remedies():
    teaches(lambda lib: (lib.ones(2, 3, requires_grad=True) * 2).backward(), "shape dxdy.Size([2, 3])",
            "gradient=", ".sum().backward()")


def test_second_backward_points_at_retain_graph():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    teaches(run, "retain_graph=True")


def test_in_place_error_names_the_op_the_versions_and_clone():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        h = x.exp()
        h.add_(1)
        h.sum().backward()
    line = teaches(run, "ExpBackward0", "version 0", "clone()")
    assert "1 time(s)" in line


def test_backward_of_a_tensor_without_grad_says_where_grad_comes_from():
    teaches(lambda lib: (lib.ones(2) * 2).sum().backward(), "requires_grad=True", "no_grad")


def test_in_place_on_a_leaf_shows_the_no_grad_update():
    teaches(lambda lib: lib.ones(2, requires_grad=True).add_(1), "no_grad()")


def test_where_trap_in_anomaly_mode_names_where_the_branch_and_the_safe_pattern():
    def run(lib):
        x = lib.tensor([-1.0, 4.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                lib.where(x > 0, x.sqrt(), lib.zeros(2)).sum().backward()
    line = teaches(run, "WhereBackward0", "SqrtBackward0", "0 * inf = nan")
    assert "dxdy.where(x > 0, dxdy.sqrt(dxdy.where(x > 0, x, 1.0)), 0.0)" in line


def test_where_trap_values_stay_exactly_torchs():
    def run(lib):
        x = lib.tensor([-1.0, 4.0], requires_grad=True)
        y = lib.where(x > 0, x.sqrt(), lib.zeros(2))
        y.sum().backward()
        safe = lib.tensor([-1.0, 4.0], requires_grad=True)
        lib.where(safe > 0, lib.sqrt(lib.where(safe > 0, safe, 1.0)), 0.0).sum().backward()
        return str(y), str(x.grad), str(safe.grad)
    assert run(dxdy) == run(torch)
