"""Anomaly mode: the node behind a NaN gradient or a failing backward, with its forward call."""
import warnings

import pytest
import torch

import dxdy


def run_log_of_zero(lib, **kwargs):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly(**kwargs):
            y = x.log() * 0  # the forward line the warning must point to
            try:
                y.sum().backward()
                error = None
            except RuntimeError as e:
                error = str(e)
    return error, [str(w.message) for w in caught], x.grad


def test_nan_gradient_names_the_node_as_torch_does():
    d_err, d_warn, _ = run_log_of_zero(dxdy)
    t_err, t_warn, _ = run_log_of_zero(torch)
    assert d_err.splitlines()[0] == t_err == "Function 'LogBackward0' returned nan values in its 0th output."
    assert "0 * inf = nan" in d_err.splitlines()[1]  # the gradient reaching log is 0 there
    trace = [w for w in d_warn if w.startswith("Error detected in LogBackward0")]
    assert trace and "the forward line the warning must point to" in trace[0]
    assert any(w.startswith("Anomaly Detection has been enabled") for w in d_warn)


def test_check_nan_false_lets_nan_through():
    d_err, _, d_grad = run_log_of_zero(dxdy, check_nan=False)
    t_err, _, t_grad = run_log_of_zero(torch, check_nan=False)
    assert d_err is None and t_err is None
    assert str(d_grad) == str(t_grad)


def test_off_by_default_and_restored_after_the_block():
    assert not dxdy.is_anomaly_enabled() and dxdy.autograd.is_anomaly_check_nan_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dxdy.autograd.detect_anomaly():
            assert dxdy.autograd.is_anomaly_enabled()
    assert not dxdy.autograd.is_anomaly_enabled()
    x = dxdy.tensor([0.0], requires_grad=True)
    x.log().sum().backward()  # no error when off: the NaN just flows
    assert str(x.grad) == "tensor([inf])"


def test_set_detect_anomaly_as_function_and_context():
    with dxdy.autograd.set_detect_anomaly(True):
        assert dxdy.is_anomaly_enabled()
    assert not dxdy.is_anomaly_enabled()
    dxdy.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        assert dxdy.is_anomaly_enabled() and not dxdy.is_anomaly_check_nan_enabled()
    finally:
        dxdy.autograd.set_detect_anomaly(False)


def test_error_in_a_custom_backward_reports_its_forward_call():
    class Broken(dxdy.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("broken backward")

    x = dxdy.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with dxdy.autograd.detect_anomaly():
            y = Broken.apply(x)  # the call to report
            with pytest.raises(ValueError, match="broken backward"):
                y.sum().backward()
    messages = [str(w.message) for w in caught]
    assert any("Error detected in BrokenBackward" in m and "the call to report" in m for m in messages)


def test_where_with_nan_in_the_unused_branch():
    def run(lib):
        x = lib.tensor([-1.0, 4.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                y = lib.where(x > 0, x.sqrt(), lib.zeros(2))
                with pytest.raises(RuntimeError) as err:
                    y.sum().backward()
        return str(err.value)
    assert run(dxdy).splitlines()[0] == run(torch) == "Function 'SqrtBackward0' returned nan values in its 0th output."
