"""NOTE [Tensor extras]: what only some tensors carry is one slotted TensorExtras, and plain tensors carry nothing."""
import dxdy
from dxdy.tensor import TensorExtras


def test_plain_results_carry_no_extras():
    x = dxdy.ones(3, requires_grad=True)
    for t in (x, x * 2, (x * 2).sum(), dxdy.zeros(2), x.detach()):
        assert t._extra is None


def test_a_view_records_its_base_in_named_fields():
    x = dxdy.ones(2, 3)
    v = x[1]
    assert type(v._extra) is TensorExtras and not hasattr(v._extra, "__dict__")  # (slots: no dict per view)
    assert v._extra.view_of[0] is x and v._base is x
    assert not v._extra.no_grad_view and v._extra.cast_of is None and v._extra.hooks is None
    with dxdy.no_grad():
        assert x[0]._extra.no_grad_view


def test_hooks_live_in_the_tensors_extras():
    x = dxdy.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    y.retain_grad()
    assert x._extra.hooks.grad and y._extra.hooks.retain_grad is not None
    y.sum().backward()
    assert seen == [[3.0, 3.0]] and y.grad.tolist() == [1.0, 1.0] and y.retains_grad
