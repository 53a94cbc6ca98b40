"""Warnings: dxdy is silent where PyTorch is and warns where PyTorch warns.

NumPy reports overflow, 0/0 and log(0) with RuntimeWarnings; PyTorch says nothing. These tests run
under pytest's own warning capture (its filters, not a filter of the test's own), which is where
dxdy's silence was once lost: pytest drops filters added while it collects a module that imports
dxdy (dxdy/_pytest_plugin.py).
"""
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch

import dxdy
from op_info import NoGrad, map_arrays
from test_ops import CASES, resolve, _tensors, SEED


def _convert(lib, value, leaves):
    def tensor(a):
        grad = not isinstance(a, NoGrad)
        a = a.array if isinstance(a, NoGrad) else a
        t = lib.tensor(a.copy())
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
            leaves.append(t)
        return t
    return map_arrays(value, tensor)


def _messages(log):
    """What was said, as (category, text) with PyTorch's names and its C++ source location taken out."""
    said = set()
    for w in log:
        text = re.sub(r"\s*\(Triggered internally at .*\)$", "", str(w.message), flags=re.S)
        said.add((w.category.__name__, text.replace("torch.", "dxdy.")))
    return said


def _warnings_of(lib, info, sample):
    """The warnings `lib` gives for the op on the sample, forward and backward (not for making the inputs)."""
    leaves = []
    args = tuple(_convert(lib, a, leaves) for a in sample.args)
    kwargs = {k: _convert(lib, v, leaves) for k, v in sample.kwargs.items()}
    fn = resolve(lib, info.torch_path if lib is torch else info.name)
    with warnings.catch_warnings(record=True) as log:
        out = fn(*args, **kwargs)
        outs = [o for o in _tensors(out) if isinstance(o, lib.Tensor) and o.requires_grad]
        if info.grad and outs and leaves:
            rng = np.random.default_rng(SEED + 1)
            vs = [lib.tensor(rng.standard_normal(tuple(o.shape))).to(o.dtype) for o in outs]
            lib.autograd.grad(outs, leaves, vs, allow_unused=True)
    return log


F64_CASES = [c for c in CASES if c.values[1] == "float64"]


@pytest.mark.parametrize("info, dtype, sample", F64_CASES)
def test_no_runtime_warning_escapes_and_user_warnings_are_torchs(info, dtype, sample):
    ours = _warnings_of(dxdy, info, sample)
    escaped = [f"{w.filename}:{w.lineno}: {w.message}" for w in ours if issubclass(w.category, RuntimeWarning)]
    assert not escaped, f"RuntimeWarnings escaped dxdy: {escaped}"
    theirs = _warnings_of(torch, info, sample)
    assert _messages(ours) == _messages(theirs)


def test_the_edges_of_the_domain_are_silent():
    x = dxdy.tensor([0.0, -1.0, np.inf, np.nan, 1e300], dtype=dxdy.float64, requires_grad=True)
    with warnings.catch_warnings(record=True) as log:
        y = (dxdy.log(x) + dxdy.sqrt(x) + 1 / x + x * x * x + dxdy.exp(x * 1e3)).sum()
        y.backward()
    assert not log


def test_a_program_that_turns_warnings_into_errors_still_runs():
    # Outside pytest, dxdy's own filter (added when it is imported) is what keeps it silent.
    program = textwrap.dedent("""
        import warnings
        warnings.simplefilter("default")
        import dxdy
        x = dxdy.tensor([0.0, -1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as log:
            dxdy.log(x).sum().backward()
        assert not log, [str(w.message) for w in log]
        print(x.grad)
    """)
    done = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", program], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "tensor([inf, -1.])"


def test_the_plugin_makes_the_filter_hold_for_modules_collected_by_pytest(tmp_path):
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        import dxdy

        def test_log_of_zero():
            x = dxdy.tensor([0.0, 1.0], requires_grad=True)
            dxdy.log(x).sum().backward()
    """))
    # (dxdy's installation registers the plugin: pytest finds it by its entry point.)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "warning" not in done.stdout.lower(), done.stdout
