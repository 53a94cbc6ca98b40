"""The benchmark workloads, each written three times: dxdy, PyTorch, hand-written NumPy.

dxdy and PyTorch share one function per workload, parameterised by the module
(`T` is `dxdy` or `torch`): dxdy's API is torch's, so the same lines must run on
both. The NumPy version does the forward pass and a backward pass derived by
hand, with no graph and no bookkeeping: the floor that an autograd library pays
its overhead on top of.

Every `build_*` returns a zero-argument `step` that runs one iteration and
returns the gradient(s) it computed (so run.py can check that the three agree).
The caller imports numpy/torch/dxdy only after pinning thread counts.
"""
import importlib

import numpy as np

from _harness import NotAvailable


def load(lib):
    """The module for 'dxdy' or 'torch' (numpy is used directly)."""
    mod = importlib.import_module(lib)
    if lib == "torch":
        mod.set_num_threads(1)
    return mod


def to_numpy(v):
    """An array from a dxdy/torch tensor or an array (for the cross-library checks)."""
    if v is None:
        return None
    if isinstance(v, np.ndarray):
        return v
    if hasattr(v, "detach"):
        v = v.detach()
    if hasattr(v, "numpy"):
        return np.array(v.numpy())
    return np.asarray(v)


# -- 1. per-op overhead: a 200-op element-wise chain on a 4-element vector --------------------

PER_OP_N = 200  # 40 rounds of the 5 ops below


def build_per_op(lib):
    if lib == "numpy":
        x = np.array([0.1, 0.2, 0.3, 0.4])
        sin, cos, tanh = np.sin, np.cos, np.tanh

        def step(check=False):
            y = x
            tape = []
            for _ in range(PER_OP_N // 5):
                a = y * 1.01
                b = a + 0.1
                c = sin(b)
                d = tanh(c)
                y = d * x
                tape.append((b, d))
            y.sum()
            g = np.ones_like(y)
            gx = np.zeros_like(x)
            for b, d in reversed(tape):
                gx += g * d            # y = d * x, through x
                g = g * x              # ... through d
                g = g * (1.0 - d * d)  # d = tanh(c)
                g = g * cos(b)         # c = sin(b)
                g = g * 1.01           # b = a + 0.1; a = y * 1.01
            gx += g                    # the chain starts at x
            return gx
        return step

    T = load(lib)
    x = T.tensor([0.1, 0.2, 0.3, 0.4], dtype=T.float64, requires_grad=True)
    sin, tanh = T.sin, T.tanh

    def step(check=False):
        y = x
        for _ in range(PER_OP_N // 5):
            y = y * 1.01
            y = y + 0.1
            y = sin(y)
            y = tanh(y)
            y = y * x
        y.sum().backward()
        g = x.grad
        x.grad = None
        return g
    return step


# -- 2. the tutorial's first listing, as a loop body -----------------------------------------

def build_tutorial(lib):
    """x, y made once; the body is the listing's backward calls (x.grad zeroed so it does not grow)."""
    if lib == "numpy":
        x = np.arange(4.0)
        y = np.array([3.0, 1.0, 2.0, 5.0])
        gx, gy = np.zeros(4), np.zeros(4)

        def step(check=False):
            2 * np.dot(x, y)               # z = 2 <x, y>
            np.add(gx, 2 * y, out=gx)      # dz/dx = 2 y, accumulated
            np.add(gy, 2 * x, out=gy)      # dz/dy = 2 x
            gy.fill(0.0)                   # y.grad.zero_()
            y.sum()                        # z = y.sum()
            np.add(gy, np.ones_like(y), out=gy)
            out = (gx.copy(), gy.copy()) if check else None
            gx.fill(0.0)                   # x.grad.zero_()
            return out
        return step

    T = load(lib)
    x = T.arange(4.0)
    x.requires_grad_(True)
    y = T.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)

    def step(check=False):
        z = 2 * T.dot(x, y)
        z.backward()
        y.grad.zero_()
        z = y.sum()
        z.backward()
        out = (to_numpy(x.grad).copy(), to_numpy(y.grad).copy()) if check else None
        x.grad.zero_()
        return out
    return step


def build_tutorial_full(lib):
    """The whole listing, tensor creation included, as a loop body (no target; shows creation cost)."""
    if lib == "numpy":
        def step(check=False):
            x = np.arange(4.0)
            y = np.array([3.0, 1.0, 2.0, 5.0])
            2 * np.dot(x, y)
            gx, gy = 2 * y, 2 * x
            gy = np.zeros_like(gy)
            y.sum()
            gy = gy + np.ones_like(y)
            return gx, gy
        return step

    T = load(lib)

    def step(check=False):
        x = T.arange(4.0)
        x.requires_grad_(True)
        y = T.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)
        z = 2 * T.dot(x, y)
        z.backward()
        y.grad.zero_()
        z = y.sum()
        z.backward()
        return x.grad, y.grad
    return step


# -- 3. an MLP training step ------------------------------------------------------------------

MLP = dict(batch=256, n_in=784, hidden=512, n_out=10, lr=0.01)


def mlp_data():
    rng = np.random.default_rng(0)
    b, i, h, o = MLP["batch"], MLP["n_in"], MLP["hidden"], MLP["n_out"]
    X = rng.standard_normal((b, i), dtype=np.float32)
    target = rng.integers(0, o, b)
    W1 = rng.standard_normal((i, h), dtype=np.float32) * np.float32(0.05)
    b1 = np.zeros(h, np.float32)
    W2 = rng.standard_normal((h, o), dtype=np.float32) * np.float32(0.05)
    b2 = np.zeros(o, np.float32)
    return X, target, [W1, b1, W2, b2]


def build_mlp(lib):
    X, target, params = mlp_data()
    lr = MLP["lr"]
    n = X.shape[0]
    if lib == "numpy":
        W1, b1, W2, b2 = [p.copy() for p in params]
        rows = np.arange(n)

        def step(check=False):
            # forward
            a1 = X @ W1 + b1
            h = np.maximum(a1, 0)
            logits = h @ W2 + b2
            shifted = logits - logits.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            -logp[rows, target].mean()
            # backward, by hand: d loss / d logits = (softmax - onehot) / n
            dlogits = np.exp(logp)
            dlogits /= n
            dlogits[rows, target] -= 1.0 / n
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(axis=0)
            dh = dlogits @ W2.T
            dh *= a1 > 0
            dW1 = X.T @ dh
            db1 = dh.sum(axis=0)
            grads = [dW1, db1, dW2, db2]
            for p, g in zip((W1, b1, W2, b2), grads):
                p -= lr * g
            return grads
        return step

    T = load(lib)
    F = T.nn.functional
    Xt = T.tensor(X)
    tt = T.tensor(target)
    rows = T.arange(n)
    ps = [T.tensor(p.copy(), requires_grad=True) for p in params]
    W1, b1, W2, b2 = ps

    def step(check=False):
        h = T.relu(Xt @ W1 + b1)
        logits = h @ W2 + b2
        logp = F.log_softmax(logits, dim=1)
        loss = -logp[rows, tt].mean()
        loss.backward()
        grads = [p.grad for p in ps]
        with T.no_grad():
            for p in ps:
                p -= lr * p.grad
                p.grad = None
        return grads
    return step


# -- 4. a 10^7-element loss -------------------------------------------------------------------

BIG_N = 10 ** 7


def big_data():
    return np.random.default_rng(1).uniform(-1.0, 1.0, BIG_N)


def build_big(lib, x_np=None):
    """loss = sum(sin(x) * x + exp(-x)); the step returns d loss / dx."""
    x_np = big_data() if x_np is None else x_np
    if lib == "numpy":
        x = x_np

        def step(check=False):
            s = np.sin(x)
            e = np.exp(-x)
            (s * x + e).sum()
            return np.cos(x) * x + s - e  # d/dx: cos(x) x + sin(x) - exp(-x)
        return step

    T = load(lib)
    x = T.tensor(x_np, requires_grad=True)
    del x_np

    def step(check=False):
        loss = (T.sin(x) * x + T.exp(-x)).sum()
        loss.backward()
        g = x.grad
        x.grad = None
        return g
    return step


# -- 5. a chain of 10^6 scalar ops ------------------------------------------------------------

CHAIN_N = 10 ** 6
CHAIN_C = 1.0000001


def build_chain(lib, n=CHAIN_N):
    """y = y * c, n times, on a 0-d float64 tensor; backward; the graph is freed inside the step."""
    if lib == "numpy":
        def step(check=False):
            y = np.float64(1.0)
            for _ in range(n):
                y = y * CHAIN_C
            g = np.float64(1.0)
            for _ in range(n):
                g = g * CHAIN_C
            return g
        return step

    T = load(lib)

    def step(check=False):
        a = T.tensor(1.0, dtype=T.float64, requires_grad=True)
        y = a
        for _ in range(n):
            y = y * CHAIN_C
        y.backward()
        del y  # tearing the graph down is part of the cost
        return a.grad
    return step


# -- optional: a 256 x 256 Jacobian and a Hessian ---------------------------------------------

JAC_N = 256
HESS_N = 256


def _wx(n, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n)


def _functional(T, name):
    fn = getattr(getattr(getattr(T, "autograd", None), "functional", None), name, None)
    if fn is None:
        raise NotAvailable(f"{T.__name__}.autograd.functional.{name} does not exist")
    return fn


def build_jacobian(lib):
    """J of f(x) = tanh(W x), W 256 x 256 (torch: autograd.functional.jacobian, one VJP per row)."""
    W, x = _wx(JAC_N, 2)
    if lib == "numpy":
        def step(check=False):
            t = np.tanh(W @ x)
            return (1.0 - t * t)[:, None] * W
        return step
    T = load(lib)
    jacobian = _functional(T, "jacobian")
    Wt, xt = T.tensor(W), T.tensor(x)

    def step(check=False):
        return jacobian(lambda v: T.tanh(Wt @ v), xt)
    return step


def build_hessian(lib):
    """H of f(x) = sum(tanh(W x)), W 256 x 256: W^T diag(-2 t (1 - t^2)) W."""
    W, x = _wx(HESS_N, 3)
    if lib == "numpy":
        def step(check=False):
            t = np.tanh(W @ x)
            return (W.T * (-2.0 * t * (1.0 - t * t))) @ W
        return step
    T = load(lib)
    hessian = _functional(T, "hessian")
    Wt, xt = T.tensor(W), T.tensor(x)

    def step(check=False):
        return hessian(lambda v: T.tanh(Wt @ v).sum(), xt)
    return step
