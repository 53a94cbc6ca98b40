"""Random misuse: programs that do what autograd forbids, or come close to it.

Each program sets up tensors (often with a random program of op-table calls, from
fuzz_program.py's Builder) and then does one thing autograd rejects, or its
allowed twin: backward of a non-scalar without a gradient, a gradient of the
wrong shape, a second backward through a freed graph, backward of a tensor that
does not require grad, requires_grad on an integer tensor, grad of an unused
input, in-place on a leaf that requires grad, modifying a tensor saved for
backward, shape errors (matmul, cat, reshape, broadcasting) and out-of-range
indices; and any op of the table given a wrong argument (a dim out of range, a shape
that does not fit, a dtype its kernel lacks, an empty tensor, an index out of range),
and the creation functions given sizes, fill values, bounds and probabilities out of
range. The allowed twins matter as much: whether a second backward fails depends on
what each op saved, and that must be PyTorch's choice too.

dxdy must raise the exception type PyTorch raises, from a raise of its own (never
NumPy's exception: fuzz_compare and error_origin.leak), and, where the program says
PyTorch's message is stable, the same first line (torch. read as dxdy.). When
PyTorch raises nothing, dxdy must not either, and the results must agree.
"""
import dataclasses

import hypothesis.strategies as st
import numpy as np
from hypothesis import assume

import fuzz_render as R
from fuzz_program import Builder, Program, random_shape_strategy
from op_db import OP_DB
from op_info import Maker, NoGrad
from wrong_arguments import KNOWN, wrong_calls


@dataclasses.dataclass
class Misuse:
    program: Program
    kind: str
    message: bool  # whether PyTorch's first line of message is stable enough to be compared

    def listing(self):
        return f"Misuse '{self.kind}'; " + self.program.listing()


# -- the setups -----------------------------------------------------------------------------------
def subject(draw, max_steps=3, call_filter=None):
    """A Builder holding a small random program, and an op result in it that requires grad."""
    builder = Builder(draw, second_order=False, call_filter=call_filter)
    for _ in range(draw(st.integers(1, max_steps))):
        builder.step()
    if not builder.loss_terms:
        # Nothing requires grad (comparisons, integer results): end with one op that does.
        leaf = builder.add_leaf(np.round(builder.rng.uniform(-2, 2, (2, 3)), 3).astype("float32"), True)
        builder.add_op_line(f"{leaf}.exp()", "exp")
    return builder, draw(st.sampled_from(builder.loss_terms))


def finish(builder, lines, kind, message, results=()):
    """The Misuse: the builder's program, then `lines`, returning the leaves' gradients and `results`."""
    builder.lines += lines
    builder.low_precision = True  # most misuse is in float32
    program = builder.program(extra_results=results)
    return Misuse(program, kind, message)


def ones_literal(shape, dtype):
    return f"torch.ones({R.literal(tuple(shape))}, dtype={R.dtype(dtype)})"


# -- the kinds --------------------------------------------------------------------------------------------
@st.composite
def nonscalar_backward(draw):
    """y.backward() without a gradient: fine for one element, an error for any other number."""
    builder, y = subject(draw)
    return finish(builder, [f"{y.expr}.backward()"], "backward() of a non-scalar", True)


@st.composite
def wrong_gradient(draw):
    """backward (or grad) with a gradient of another shape (an error), or of another dtype (allowed)."""
    builder, y = subject(draw)
    shape = tuple(y.value.shape)
    other = draw(st.one_of(random_shape_strategy(), st.just(shape[::-1]), st.just(shape + (1,))))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    grad = ones_literal(other, dtype)
    if draw(st.booleans()):
        line = f"{y.expr}.backward({grad})"
    else:
        leaves = ", ".join(builder.grad_leaves)
        line = f"g = torch.autograd.grad([{y.expr}], [{leaves}], [{grad}], allow_unused=True)"
    results = ("g",) if line.startswith("g =") else ()
    return finish(builder, [line], "gradient of the wrong shape or dtype", True, results)


@st.composite
def second_backward(draw):
    """Two backward passes through one graph: an error once saved tensors are freed, unless retained.

    Not on ops given indices, masks or conditions: PyTorch saves those as tensors, which a backward pass
    frees, and dxdy as parameters, which it keeps, so that only PyTorch raises (reported; see
    test_regressions.py). Nor on sgn, whose gradient PyTorch gives as a ZeroTensor, which a second
    backward cannot accumulate into (a PyTorch limitation).
    """
    builder, y = subject(draw, call_filter=lambda call: not call.has_masks and call.info.name != "sgn")
    retain = draw(st.booleans())
    grad = ones_literal(y.value.shape, y.value.dtype)
    if draw(st.booleans()):
        lines = [f"{y.expr}.backward({grad}{', retain_graph=True' if retain else ''})", f"{y.expr}.backward({grad})"]
    else:
        leaves = ", ".join(builder.grad_leaves)
        call = f"torch.autograd.grad([{y.expr}], [{leaves}], [{grad}], allow_unused=True"
        lines = [f"g = {call}{', retain_graph=True' if retain else ''})", f"g = {call})"]
    results = ("g",) if lines[0].startswith("g =") else ()
    return finish(builder, lines, "second backward through a freed graph", True, results)


@st.composite
def unused_input(draw):
    """grad() with respect to a tensor the output does not depend on: an error unless allow_unused."""
    builder, y = subject(draw)
    shape = draw(random_shape_strategy())
    builder.lines.append(f"unused = {ones_literal(shape, 'float32')}.requires_grad_()")
    leaves = builder.grad_leaves + ["unused"]
    position = draw(st.integers(0, len(leaves) - 1))
    leaves.insert(position, leaves.pop())
    allow = ", allow_unused=True" if draw(st.booleans()) else ""
    grad = ones_literal(y.value.shape, y.value.dtype)
    line = f"g = torch.autograd.grad([{y.expr}], [{', '.join(leaves)}], [{grad}]{allow})"
    return finish(builder, [line], "grad of an unused input", True, ("g",))


@st.composite
def no_grad_backward(draw):
    """backward of a tensor that does not require grad: made without leaves that do, under no_grad,
    or detached."""
    builder, y = subject(draw)
    how = draw(st.sampled_from(["detach", "no_grad", "constant"]))
    if how == "detach":
        line = f"{y.expr}.detach().sum().backward()"
    elif how == "no_grad":
        line = f"with torch.no_grad():\n        z = ({y.expr} * 2).sum()\n    z.backward()"
    else:
        shape = draw(random_shape_strategy())
        line = f"{ones_literal(shape, 'float32')}.exp().sum().backward()"
    return finish(builder, [line], "backward of a tensor that does not require grad", True)


INT_DTYPES = ("int64", "int32", "int16", "int8", "uint8", "bool")


@st.composite
def int_requires_grad(draw):
    """requires_grad on an integer or bool tensor, in each of the ways to ask for it."""
    shape = draw(random_shape_strategy())
    dtype = draw(st.sampled_from(INT_DTYPES))
    values = np.zeros(shape, dtype=dtype)
    made = R.array(values)
    how = draw(st.sampled_from(["tensor", "zeros", "requires_grad_", "attribute", "float-then-int"]))
    if how == "tensor":
        lines = [f"x = {made[:-1]}, requires_grad=True)" if made.endswith(")") else f"x = {made}"]
    elif how == "zeros":
        lines = [f"x = torch.zeros({R.literal(shape)}, dtype={R.dtype(dtype)}, requires_grad=True)"]
    elif how == "requires_grad_":
        lines = [f"x = {made}.requires_grad_()"]
    elif how == "attribute":
        lines = [f"x = {made}", "x.requires_grad = True"]
    else:
        lines = [f"x = torch.zeros({R.literal(shape)}, requires_grad=True).to({R.dtype(dtype)})",
                 "x.requires_grad_()"]
    builder = Builder(draw, second_order=False)
    return finish(builder, lines, "requires_grad on an integer tensor", True, ("x",))


@st.composite
def inplace_on_leaf(draw):
    """An in-place op on a leaf that requires grad (or a view of one): an error, except under no_grad."""
    shape = draw(random_shape_strategy(min_dims=1, min_size=1))
    values = np.round(np.random.default_rng(draw(st.integers(0, 999))).uniform(-2, 2, shape), 3).astype("float32")
    target = draw(st.sampled_from(["x", "x[0]", "x.view(-1)", "x.t()" if len(shape) == 2 else "x.unsqueeze(0)"]))
    op = draw(st.sampled_from(["add_(1)", "mul_(2.0)", "zero_()", "exp_()", "clamp_(-1, 1)", "copy_(torch.ones(()))",
                               "fill_(0.5)"]))
    lines = [f"x = {R.array(values, True)}"]
    if draw(st.booleans()):
        lines.append(f"{target}.{op}")
    else:
        lines += ["with torch.no_grad():", f"    {target}.{op}"]
    lines.append("(x * x).sum().backward()")
    builder = Builder(draw, second_order=False)
    return finish(builder, lines, "in-place on a leaf that requires grad", True, ("x",))


@st.composite
def modified_saved(draw):
    """An in-place op on a tensor after ops used it, then backward: an error when some op saved it."""
    builder, y = subject(draw)
    # Not an element of a tuple of results: PyTorch saves some of those (slogdet's sign, max's indices), dxdy
    # all or none of them (reported; see test_regressions.py).
    # Nor a view (PyTorch's einsum results are views of a temporary, dxdy's are not; and a view of a 0-d
    # result cannot be written in place in dxdy): in-place through views is for the view tests.
    choices = [s for s in builder.sources if s.expr.startswith("v") and "[" not in s.expr and s.value.requires_grad
               and s.value._base is None]
    op = draw(st.sampled_from(["add_(1)", "mul_(2.0)", "exp_()", "zero_()"]))
    grad = ones_literal(y.value.shape, y.value.dtype)
    if choices:
        lines = [f"{draw(st.sampled_from(choices)).expr}.{op}", f"{y.expr}.backward({grad})"]
    else:  # a tensor made for the purpose, which nothing saves
        lines = [f"w = {y.expr} * 2", f"w.{op}", f"w.backward({grad})"]
    return finish(builder, lines, "modifying a tensor saved for backward", True)


# -- shape and index errors ------------------------------------------------------------------------------
def shapes_near(draw, base):
    """A shape like `base` with one size changed (or a dim added or dropped): usually incompatible."""
    shape = list(base)
    change = draw(st.sampled_from(["size", "add", "drop"] if shape else ["add"]))
    if change == "size":
        i = draw(st.integers(0, len(shape) - 1))
        shape[i] = draw(st.sampled_from([0, 1, 2, 3, 5]))
    elif change == "add":
        shape.insert(draw(st.integers(0, len(shape))), draw(st.sampled_from([1, 2, 3])))
    else:
        shape.pop(draw(st.integers(0, len(shape) - 1)))
    return tuple(shape)


@st.composite
def shape_error(draw):
    """matmul, cat, stack, reshape, view and broadcasting with shapes that (mostly) do not fit."""
    base = draw(random_shape_strategy(min_dims=1))
    other = shapes_near(draw, base)
    a, b = ones_literal(base, "float32"), ones_literal(other, "float32")
    a = f"{a}.requires_grad_()" if draw(st.booleans()) else a
    kind = draw(st.sampled_from(["matmul", "mm", "bmm", "cat", "stack", "reshape", "view", "broadcast", "expand"]))
    if kind == "matmul":
        line = f"y = {a} @ {b}"
    elif kind in ("mm", "bmm"):
        line = f"y = torch.{kind}({a}, {b})"
    elif kind == "cat":
        line = f"y = torch.cat([{a}, {b}], {draw(st.integers(-len(base), len(base)))})"
    elif kind == "stack":
        line = f"y = torch.stack([{a}, {b}], {draw(st.integers(-len(base) - 1, len(base) + 1))})"
    elif kind in ("reshape", "view"):
        target = list(other)
        if target and draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
        transposed = ".t()" if len(base) == 2 and kind == "view" and draw(st.booleans()) else ""
        line = f"y = {a}{transposed}.{kind}({R.literal(tuple(target))})"
    elif kind == "broadcast":
        line = f"y = {a} {draw(st.sampled_from(['+', '*', '-', '/']))} {b}"
    else:
        line = f"y = {a}.expand({R.literal(other)})"
    builder = Builder(draw, second_order=False)
    # Whether PyTorch's message has one wording per case: matmul's and bmm's depend on its dispatch path.
    return finish(builder, [line], f"shape error ({kind})", kind not in ("matmul", "bmm", "mm"), ("y",))


@st.composite
def index_error(draw):
    """Indices out of range: integer indexing, index tensors, gather, index_select, dims."""
    shape = draw(random_shape_strategy(min_dims=1))
    x = f"{ones_literal(shape, 'float32')}.requires_grad_()"
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    size = shape[dim] if -len(shape) <= dim < len(shape) else 1
    i = draw(st.sampled_from([size, size + 1, -size - 1, size - 1, 0, -1]))
    kind = draw(st.sampled_from(["int", "slice-int", "tensor", "gather", "index_select", "sum", "transpose"]))
    index = f"torch.tensor([0, {i}])"
    if kind == "int":
        line = f"y = {x}[{i}]"
    elif kind == "slice-int":
        line = f"y = {x}[..., {i}]"
    elif kind == "tensor":
        line = f"y = {x}[{index}]"
    elif kind == "gather":
        idx = np.full(shape, i if shape else 0, dtype=np.int64)
        line = f"y = torch.gather({x}, {dim}, {R.array(idx)})"
    elif kind == "index_select":
        line = f"y = torch.index_select({x}, {dim}, {index})"
    elif kind == "sum":
        line = f"y = {x}.sum({dim})"
    else:
        line = f"y = {x}.transpose(0, {dim})"
    builder = Builder(draw, second_order=False)
    # PyTorch's message for x[..., i] names the wrong dim (1 for a 1-d x): not one to copy
    return finish(builder, [line], f"index out of range ({kind})", kind != "slice-int", ("y",))


# -- wrong arguments to any op, and to the creation functions -------------------------------------------------
def _render(value, lines, requires_grad):
    """Source for a sample argument: arrays become named tensors (made in `lines`), the rest literals."""
    if isinstance(value, (np.ndarray, NoGrad)):
        a = value.array if isinstance(value, NoGrad) else value
        name = f"a{len(lines)}"
        lines.append(f"{name} = {R.array(a, requires_grad and a.dtype.kind == 'f' and not isinstance(value, NoGrad))}")
        return name
    if isinstance(value, (list, tuple)) and any(isinstance(v, (np.ndarray, NoGrad)) for v in value):
        inner = [_render(v, lines, requires_grad) for v in value]
        return "[" + ", ".join(inner) + "]" if isinstance(value, list) else "(" + ", ".join(inner) + ",)"
    return R.literal(value)


def _program(lines, call, ops):
    """A program that makes `lines` and calls `call`, returning nothing: where neither library raises, what
    the call gives is the op table's and the program fuzzer's to compare (a wrong argument PyTorch accepts
    is often a dtype whose results are another matter)."""
    source = "def program(torch):\n" + "".join(f"    {line}\n" for line in lines + [f"y = {call}"]) + \
        "    return {}\n"
    return Program(source, {}, set(), True, ops)


@st.composite
def wrong_op_call(draw):
    """An op of the table called with one argument made wrong, as users get them wrong (tests/wrong_arguments.py:
    a dim out of range, a shape that does not fit, an integer, bool or float16 tensor, an empty or 0-d one, indices
    out of range, a number for a tensor, NaN or negative values, a size out of range). dxdy must raise PyTorch's
    type of error, never NumPy's (fuzz_compare), or raise nothing where PyTorch raises nothing. Differences
    listed in wrong_arguments.KNOWN are not drawn."""
    info = draw(st.sampled_from(OP_DB))
    dtype = draw(st.sampled_from(info.dtypes))
    samples = info.samples(Maker(np.random.default_rng(draw(st.integers(0, 999))), dtype, info.domain), dtype)
    samples = [x for x in samples if info.sample_filter is None or info.sample_filter(x, dtype)]
    calls = [c for c in wrong_calls(draw(st.sampled_from(samples))) if (info.name, c[0]) not in KNOWN]
    assume(calls)
    kind, args, kwargs = draw(st.sampled_from(calls))
    lines, requires_grad = [], False  # (the arguments are under test here, not autograd)
    try:
        rendered = [_render(a, lines, requires_grad) for a in args] + \
            [f"{k}={_render(v, lines, requires_grad)}" for k, v in kwargs.items()]
    except TypeError:  # an argument without a literal (a NumPy dtype, a function): not this sample
        assume(False)
    program = _program(lines, f"torch.{info.torch_path}({', '.join(rendered)})", [info.name])
    return Misuse(program, f"wrong argument ({kind}) to {info.name}", False)


_SIZES = st.lists(st.sampled_from([2, 0, 1, -1, -3, 10 ** 20]), min_size=0, max_size=3).map(tuple)
_FILLS = st.sampled_from([2, -1, 300, -129, 255.9, -0.5, 1e300, 7e4, 2 ** 63, 2 ** 64, float("nan"), float("inf"),
                          True])
_DTYPES = st.sampled_from(["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
_WEIGHTS = st.sampled_from([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0], [0.0, 0.0], [1.0, -2.0], [1.0, float("nan")],
                            [1.0, float("inf")], [[1.0, 1.0], [0.0, 0.0]], [[0.5, 0.5], [1.0, 3.0]], [], 1.0,
                            [[[1.0]]]])


@st.composite
def creation_misuse(draw):
    """The creation and random functions with sizes, fill values, bounds and probabilities out of range."""
    dtype = f"dtype=torch.{draw(_DTYPES)}"
    fn = draw(st.sampled_from(["zeros", "ones", "empty", "rand", "randn", "full", "full_like", "fill_",
                               "scalar_tensor", "randint", "randperm", "eye", "multinomial", "bernoulli",
                               "bernoulli-p", "normal"]))
    size = R.literal(draw(_SIZES))
    if fn in ("zeros", "ones", "empty", "rand", "randn"):
        call = f"torch.{fn}({size}, {dtype})"
    elif fn == "full":
        call = f"torch.full({size}, {R.literal(draw(_FILLS))}, {dtype})"
    elif fn == "full_like":
        call = f"torch.full_like(torch.ones({size.replace('-', '')}), {R.literal(draw(_FILLS))}, {dtype})"
    elif fn == "fill_":
        call = f"torch.zeros({draw(st.sampled_from(['(1,)', '(3,)', '()']))}, {dtype}).fill_({R.literal(draw(_FILLS))})"
    elif fn == "scalar_tensor":
        call = f"torch.scalar_tensor({R.literal(draw(_FILLS))}, {dtype})"
    elif fn == "randint":
        low, high = draw(st.sampled_from([-200, -1, 0, 1])), draw(st.sampled_from([0, 2, 5, 300, 2 ** 16, 2 ** 70]))
        call = f"torch.randint({low}, {high}, {size}, {dtype})"
    elif fn == "randperm":
        call = f"torch.randperm({draw(st.sampled_from([-1, 0, 3, 300, 3000, 10 ** 20]))}, {dtype})"
    elif fn == "eye":
        call = f"torch.eye({draw(st.sampled_from([-1, 0, 2]))}, {draw(st.sampled_from([-1, 0, 3]))}, {dtype})"
    elif fn == "multinomial":
        n, replacement = draw(st.sampled_from([-1, 0, 1, 2, 5])), draw(st.booleans())
        call = f"torch.multinomial(torch.tensor({R.literal(draw(_WEIGHTS))}, {dtype}), {n}, {replacement})"
    elif fn == "bernoulli":
        probs = draw(st.sampled_from([[0.5, 1.5], [0.0, 1.0], [-0.5], [float("nan")], 0.3]))
        call = f"torch.bernoulli(torch.tensor({R.literal(probs)}, {dtype}))"
    elif fn == "bernoulli-p":
        call = f"torch.bernoulli(torch.zeros(3, {dtype}), {draw(st.sampled_from([0.5, 1.5, -0.5, 1]))})"
    else:
        mean = draw(st.sampled_from(["0.0", "torch.zeros(2)", "torch.zeros(3)", "torch.zeros(2, dtype=torch.int64)"]))
        std = draw(st.sampled_from(["1.0", "-1.0", "torch.ones(2)", "-torch.ones(2)", "torch.ones(3, 1)"]))
        call = f"torch.normal({mean}, {std}" + (f", {size})" if draw(st.booleans()) else ")")
    return Misuse(_program([], call, [fn]), f"creation misuse ({fn})", False)


KINDS = [nonscalar_backward(), wrong_gradient(), second_backward(), unused_input(), no_grad_backward(),
         int_requires_grad(), inplace_on_leaf(), modified_saved(), shape_error(), index_error(), wrong_op_call(),
         creation_misuse()]


def misuses():
    """A random Misuse of any kind."""
    return st.one_of(KINDS)
