"""Grad mode: whether ops record a graph. Thread-local, as in PyTorch.

Each switch works as a context manager and as a decorator, with or without
parentheses (`@no_grad` and `@no_grad()`).
"""
import functools
import threading


class _State(threading.local):
    grad_enabled = True
    inference = False
    consuming = False  # inside a backward pass that frees saved arrays after each node (no retain_graph)
    task = None  # the backward pass this thread runs: (id, the nodes it will reach) (engine.run_backward)
    # Saved-tensor hooks (dxdy/saved_tensors.py): the (pack, unpack) pairs in force, innermost last; the
    # message of disable_saved_tensors_hooks while it holds; the tensor an in-place op is about to write;
    # the allow_mutation_on_saved_tensors context open in this thread.
    saved_hooks = ()
    hooks_disabled = None
    writing = None
    mutation_context = None
    func_levels = ()  # the dxdy.func transforms open in this thread, innermost last (NOTE [Transform levels])


state = _State()


class _Anomaly:
    """Anomaly detection (dxdy.autograd.detect_anomaly): global, as in PyTorch."""
    enabled = False
    check_nan = True


anomaly = _Anomaly()


class _Watch:
    """NOTE [Watching new nodes]
    Whether something must see each node as an op records it: anomaly mode (the forward stack) or
    saved-tensor hooks open in some thread (to pack what the node saved). The op paths test this one
    flag, so neither costs an ordinary op more than that test (ops/_op.py `_record`)."""
    on = False
    hook_contexts = 0  # saved_tensors_hooks contexts open, in all threads


watch = _Watch()
_watch_lock = threading.Lock()


def rewatch(hook_contexts=0):
    """Recompute watch.on after anomaly mode changed or a hooks context opened (+1) or closed (-1)."""
    with _watch_lock:
        watch.hook_contexts += hook_contexts
        watch.on = anomaly.enabled or watch.hook_contexts > 0


def is_grad_enabled():
    """True when ops record a graph for backward."""
    return state.grad_enabled


def is_inference_mode_enabled():
    return state.inference


class _GradSwitch:
    """Base of no_grad/enable_grad/inference_mode: a context manager and a decorator."""

    def __new__(cls, orig_func=None, *args, **kwargs):
        if cls is not set_grad_enabled and callable(orig_func):
            # Used bare, as `@no_grad`: decorate at once.
            return cls()(orig_func)
        return super().__new__(cls)

    def _enter_state(self):
        raise NotImplementedError

    def __enter__(self):
        self._saved = (state.grad_enabled, state.inference)
        self._enter_state()

    def __exit__(self, *exc):
        state.grad_enabled, state.inference = self._saved

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradSwitch):
    """Turn graph recording off: results of ops do not require grad.

    >>> x = dxdy.ones(2, requires_grad=True)
    >>> with dxdy.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, orig_func=None):
        pass

    def _enter_state(self):
        state.grad_enabled = False


class enable_grad(_GradSwitch):
    """Turn graph recording back on inside a no_grad block."""

    def __init__(self, orig_func=None):
        pass

    def _enter_state(self):
        state.grad_enabled = True


class set_grad_enabled(_GradSwitch):
    """Set grad mode now; as a context manager, restore it on exit.

    `dxdy.set_grad_enabled(False)` turns recording off at once, like PyTorch.
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self._saved = (state.grad_enabled, state.inference)
        state.grad_enabled = self.mode

    def __enter__(self):
        pass  # the state was set, and the old one saved, by __init__

    def __call__(self, func):
        # As a decorator the switch must not stay set: undo what __init__ did.
        state.grad_enabled, state.inference = self._saved
        return super().__call__(func)

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_GradSwitch):
    """Like no_grad: no graph is recorded (dxdy keeps no separate inference tensors)."""

    def __init__(self, mode=True):
        self.mode = bool(mode) if not callable(mode) else True

    def _enter_state(self):
        if self.mode:
            state.grad_enabled = False
            state.inference = True

    def clone(self):
        return inference_mode(self.mode)
