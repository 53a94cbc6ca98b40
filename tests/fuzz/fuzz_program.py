"""Random programs: DAGs of 1 to 12 calls from the op table, as Python source.

A program is the text of `def program(torch): ...`, which makes leaves, calls ops
on leaves and on earlier results, back-propagates, and returns what it computed.
Run with `torch` bound to PyTorch and again to dxdy, the two results must agree
(tests/fuzz/test_programs.py). The same text is the listing printed on failure,
so what a failure shows is exactly what ran, ready to paste into a regression test.

The builder writes a program one step at a time and runs each step in PyTorch as
it goes, which tells it the shapes, dtypes and values of what earlier steps made,
and whether a step is valid: when PyTorch rejects a step built with random
shapes, the builder falls back to the shapes of the op's table sample, and then
to the table sample itself, which is known to be valid.

How a tensor gets into an op's argument (a *slot*, see fuzz_ops.py):
  shape  it is fitted to the slot's shape by broadcasting, summing leading dims,
         or flattening, slicing and repeating (all differentiable);
  dtype  cast to the slot's dtype (or, now and then, left to type promotion);
  domain mapped into the interval the op's sample was drawn from with
         lo + (hi - lo) * sigmoid(t), unless its values already lie there;
         arrays built with care (well-conditioned matrices, distinct values)
         get t only as a small perturbation: base + 0.05 * sigmoid(t).
"""
import dataclasses
import functools
import math
import warnings

import hypothesis.strategies as st
import numpy as np
import torch

import fuzz_render as R
from fuzz_ops import OPS, FLOATS, PROMOTING, Slot, Const, sample_calls, step_dtype

MAX_OPS = 12
SIZES = (1, 2, 3, 4, 0)      # sizes of random dims; shrinking prefers the first
MAX_ELEMENTS = 64            # random shapes stay small, so that listings stay readable
DEFAULT_DOMAIN = (-2.0, 2.0)  # the op table's default interval: ops defined everywhere use it
WIDE = (-4.0, 4.0)           # values a tensor may take to enter an unrestricted op unmapped
LARGE = 1e4                  # tensors with larger (or non-finite) values feed no later step


@dataclasses.dataclass
class Source:
    """A tensor the program has made (a leaf or an op's result) that later steps may use."""
    expr: str
    value: torch.Tensor


@dataclasses.dataclass
class Program:
    source: str                  # the text of `def program(torch): ...`
    node_names: dict             # result name -> the grad_fn name dxdy must give (None: PyTorch's; False: any)
    random: set                  # names of results of random ops: their values are not compared
    low_precision: bool          # float32 or float16 somewhere: looser tolerances
    ops: list                    # the op names, in order (for statistics)

    def listing(self):
        return "The program (run with torch bound to PyTorch, then to dxdy):\n\n" + self.source


def broadcastable(shape, target):
    """Whether `shape` broadcasts to `target` (as expand/broadcast_to allow)."""
    if len(shape) > len(target):
        return False
    return all(a == b or a == 1 for a, b in zip(reversed(shape), reversed(target)))


def shape_literal(shape):
    return R.literal(tuple(int(s) for s in shape))


class Builder:
    """Writes one program, drawing every choice from hypothesis's `draw`."""

    def __init__(self, draw, second_order=None, call_filter=None):
        self.draw = draw
        self.call_filter = call_filter  # which of the table's samples steps may use (None: all)
        self.dtype = draw(st.sampled_from(FLOATS))
        self.lines = []
        self.env = {"torch": torch}
        self.sources = []          # Sources later steps may take
        self.grad_leaves = []      # names of leaves that require grad
        self.all_leaves = []
        self.loss_terms = []       # Sources of op results that require grad
        self.node_names = {}
        self.ops = []
        self.low_precision = self.dtype == "float32"
        self.random = set()
        # About one program in four ends with second derivatives; decided first, because it changes
        # which tensors may feed later steps (see add_source).
        self.second_order = self.chance(25) if second_order is None else second_order
        self.second_order_ok = True
        self.rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))

    # -- choices ---------------------------------------------------------------------------------------
    def chance(self, percent):
        """True with about `percent`% probability; shrinks to False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def random_shape(self):
        return self.draw(random_shape_strategy())

    def partner(self, base):
        """A shape that broadcasts with `base`: leading dims dropped, some dims set to 1."""
        drop = self.draw(st.integers(0, len(base)))
        kept = [1 if self.chance(30) else s for s in base[drop:]]
        return tuple(kept)

    # -- leaves ------------------------------------------------------------------------------------------
    def new_leaf(self, array, leaves, requires_grad):
        """Name a new leaf; it joins the program (commit_leaves) only if its step does."""
        name = f"x{len(self.all_leaves) + len(leaves)}"
        leaves.append((name, requires_grad, f"{name} = {R.array(array, requires_grad)}"))
        return name

    def add_leaf(self, array, requires_grad):
        """A new leaf in the program now (outside any step)."""
        leaves = []
        name = self.new_leaf(array, leaves, requires_grad)
        exec(leaves[0][2], self.env)
        self.commit_leaves(leaves, self.env)
        return name

    def commit_leaves(self, leaves, env):
        """Add the leaves (name, requires_grad, statement) to the program; `env` holds their values."""
        for leaf, requires_grad, stmt in leaves:
            self.all_leaves.append(leaf)
            if requires_grad:
                self.grad_leaves.append(leaf)
            self.lines.append(stmt)
            self.add_source(leaf, env[leaf])
            self.low_precision |= env[leaf].dtype != torch.float64

    def fresh_values(self, shape, domain, dtype):
        lo, hi = domain
        return np.round(self.rng.uniform(lo, hi, size=shape), 4).astype(dtype)

    # -- fitting a tensor into a slot -------------------------------------------------------------------
    def fit(self, expr, shape, target, dtype):
        """An expression for `expr` (of `shape`) reshaped to `target`, differentiably."""
        shape, target = tuple(shape), tuple(target)
        if shape == target:
            return expr
        n, m = math.prod(shape), math.prod(target)
        if m == 0:
            return f"{expr}.reshape(-1)[:0].reshape({shape_literal(target)})"
        if n == 0:
            return f"({expr}.sum() + torch.zeros({shape_literal(target)}, dtype={R.dtype(dtype)}))"
        ways = ["flat"]
        if broadcastable(shape, target):
            ways += ["broadcast_to", "expand"]
        if len(shape) > len(target) and broadcastable(shape[len(shape) - len(target):], target):
            ways += ["sum"]
        way = self.draw(st.sampled_from(ways))
        if way == "broadcast_to":
            return f"torch.broadcast_to({expr}, {shape_literal(target)})"
        if way == "expand":
            return f"{expr}.expand({shape_literal(target)})"
        if way == "sum":
            lead = tuple(range(len(shape) - len(target)))
            return self.fit(f"{expr}.sum({R.literal(lead)})", shape[len(lead):], target, dtype)
        if n >= m:
            return f"{expr}.reshape(-1)[:{m}].reshape({shape_literal(target)})"
        return f"{expr}.reshape(-1).repeat({-(-m // n)})[:{m}].reshape({shape_literal(target)})"

    def feed(self, source, slot, target, promoting):
        """An expression that puts `source` into `slot`, shaped `target`, valid for the op."""
        dtype = slot.array.dtype
        expr = self.fit(source.expr, source.value.shape, target, source.value.dtype)
        m = math.prod(target)
        if source.value.numel() == 1 < m and slot.domain is not None:
            # One value spread over many elements is a singular point of std, var, the norms...: their
            # gradient there is rounding noise, a different one in each library. Make the values distinct.
            ramp = np.linspace(0.0, 0.1, m).reshape(tuple(target)).astype(str(source.value.dtype)[6:])
            expr = f"({expr} + {R.array(ramp)})"
        keep_dtype = promoting and slot.domain is not None and self.chance(15)
        if str(source.value.dtype) != R.dtype(dtype) and not keep_dtype:
            expr = f"{expr}.to({R.dtype(dtype)})"
            # an op computing in float32 (or less) whose result is float64 (sum(..., dtype=float)) is
            # only as exact as float32
            self.low_precision |= np.dtype(dtype) in (np.float32, np.float16)
        if slot.domain is None:
            # A structured array (well conditioned, distinct values...): keep it, moved a little. (By a
            # sigmoid, never 0: with tanh, a zero of the array plus tanh of a rounding-size t would be zero
            # or not by accident of rounding, and comparisons of it would differ between libraries.)
            return f"({R.array(slot.array)} + 0.05 * torch.sigmoid({expr}))"
        lo, hi = slot.domain
        if not self.chance(30) and self.within(expr, WIDE if slot.domain == DEFAULT_DOMAIN else slot.domain):
            return expr
        return f"({R.number(lo)} + {R.number(hi - lo)} * torch.sigmoid({expr}))"

    def within(self, expr, interval):
        with torch.no_grad():
            v = eval(expr, self.env).double()
        return bool(((v >= interval[0]) & (v <= interval[1])).all())

    # -- one step ---------------------------------------------------------------------------------------------
    def step(self):
        info = self.draw(st.sampled_from(OPS))
        other = "float64" if self.dtype == "float32" else "float32"
        dtype = step_dtype(info, other if self.chance(10) else self.dtype)
        calls = sample_calls(info, dtype, self.draw(st.integers(0, 2 ** 16 - 1)))
        calls = [c for c in calls if self.call_filter is None or self.call_filter(c)]
        if not calls:
            return
        call = self.draw(st.sampled_from(calls))
        plans = self.plan(call)
        for variant in ("planned", "sample-shapes", "fresh"):
            leaves = []
            render = functools.partial(self.render, plans=plans, variant=variant, leaves=leaves,
                                       promoting=id(info) in PROMOTING)
            args = tuple(render(a) for a in call.args)
            kwargs = {k: render(v) for k, v in call.kwargs.items()}
            if self.try_step(call, args, kwargs, leaves):
                return
        raise AssertionError(f"PyTorch rejects the table's own sample {call.sample_name} of {info.name}")

    def plan(self, call):
        """For each slot: a fresh leaf or an existing tensor, and (for plain slots) maybe a new shape."""
        # Random shapes, except where indices are given: they fit the sample's shapes only (and PyTorch's
        # take_along_dim does not check its indices' range).
        mutate = self.chance(50) and not call.has_indices
        base = None
        plans = {}
        # Rows restricted to float32 hold points where a derivative takes a convention, some of them infinite
        # (std of too few elements): their inputs are fresh leaves, so that no earlier op sees an infinite
        # gradient. (PyTorch's relu, floor, maximum... then give 0 where dxdy gives NaN: reported, see
        # test_regressions.py.)
        edge = call.info.dtypes == ("float32",)
        for slot in call.slots:
            use = self.draw(st.sampled_from(self.sources)) if self.sources and not edge and not self.chance(40) \
                else None
            shape = None
            if mutate and slot.domain is not None:
                if base is None:
                    base = tuple(use.value.shape) if use is not None and self.chance(70) else self.random_shape()
                    shape = base
                else:
                    shape = self.partner(base)
            plans[id(slot)] = (use, shape, not self.chance(15))
        return plans

    def render(self, value, plans, variant, leaves, promoting):
        """Source for a templated argument under one of the fallbacks of `step`."""
        if isinstance(value, Slot):
            use, shape, requires_grad = plans[id(value)]
            if variant == "fresh" or (use is None and (shape is None or variant != "planned")):
                return self.new_leaf(value.array, leaves, requires_grad)
            target = shape if variant == "planned" and shape is not None else value.array.shape
            if use is None:
                return self.new_leaf(self.fresh_values(target, value.domain, value.array.dtype), leaves,
                                     requires_grad)
            return self.feed(use, value, target, promoting)
        if isinstance(value, Const):
            return R.array(value.array)
        render = functools.partial(self.render, plans=plans, variant=variant, leaves=leaves, promoting=promoting)
        if isinstance(value, list):
            return "[" + ", ".join(render(v) for v in value) + "]"
        if isinstance(value, tuple) and any(isinstance(v, (Slot, Const)) for v in value):
            return "(" + "".join(render(v) + ", " for v in value) + ")"
        return R.literal(value)

    def call_source(self, call, args, kwargs):
        info = call.info
        path = info.torch_path
        params = list(args) + [f"{k}={v}" for k, v in kwargs.items()]
        if path.startswith("Tensor."):
            return f"{args[0]}.{path[len('Tensor.'):]}({', '.join(params[1:])})"
        # The method form of a top-level op (x.exp() for torch.exp(x)); torch.linalg.cross is not x.cross.
        first = call.args[0] if call.args else None
        as_method = (info.method and "." not in path and isinstance(first, Slot) and hasattr(torch.Tensor, path)
                     and self.chance(25))
        if as_method:
            return f"{args[0]}.{path}({', '.join(params[1:])})"
        return f"torch.{path}({', '.join(params)})"

    def try_step(self, call, args, kwargs, leaves):
        """Run the step in PyTorch; keep it (and its new leaves) if PyTorch accepts it."""
        name = f"v{len(self.ops)}"
        info = call.info
        line = f"{name} = {self.call_source(call, args, kwargs)}"
        env = dict(self.env)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for stmt in [leaf[2] for leaf in leaves] + [line]:
                    exec(stmt, env)
        except Exception:  # PyTorch rejects the step: the caller tries a safer variant
            return False
        self.env = env
        self.commit_leaves(leaves, env)
        self.lines += [f"# {info.name}, on the table's sample {call.sample_name!r}", line]
        self.node_names[name] = info.exact_node if info.check_node_name else False
        self.ops.append(info.name)
        if info.nondeterministic:
            self.random.add(name)
        # Rows restricted to float32 hold the points where a derivative takes a convention (op_db_elementwise):
        # PyTorch's second derivatives there are NaN or not by accident of its formulas, so none are compared.
        self.second_order_ok &= info.gradgrad and not info.nondeterministic and info.dtypes != ("float32",)
        for expr, t in tensors_in(env[name], name):
            self.low_precision |= t.dtype in (torch.float32, torch.float16)
            if info.nondeterministic or not t.is_floating_point():
                continue  # random results are compared by shape and dtype only, and feed nothing
            if not info.grad:
                # Not differentiable (floor_divide...): PyTorch's backward raises through it. Now and then
                # the loss goes through it, to check that dxdy raises too; nothing else uses it.
                if t.requires_grad and self.chance(10):
                    self.loss_terms.append(Source(expr, t))
                continue
            if t.dtype == torch.float16:
                self.second_order_ok = False  # half precision: first derivatives only
            else:
                self.add_source(expr, t)
            # A result with NaN or infinities (a variance of one element) is compared, not back-propagated:
            # its gradients are NaN too, which PyTorch's backward formulas mask in places where dxdy's
            # multiply (reported: see test_regressions.py).
            if t.requires_grad and bool(torch.isfinite(t.detach()).all()):
                self.loss_terms.append(Source(expr, t))
        return True

    def add_source(self, expr, t):
        """Offer `t` to later steps, if its values are finite and moderate.

        Infinities, NaN and huge values (nan_to_num's float32 max) would only feed later steps with
        results whose rounding depends on the order of summation, which differs between libraries.
        """
        with torch.no_grad():
            if t.numel() and not bool(t.double().abs().le(LARGE).all()):
                return
            # Exact zeros are where many derivatives take a convention (abs, norm, sqrt...); PyTorch's
            # second derivatives there are NaN or not by accident of its formulas: none are compared.
            if self.second_order and bool((t == 0).any()):
                return
        self.sources.append(Source(expr, t))

    # -- back-propagation -----------------------------------------------------------------------------------
    def cotangent(self, t):
        dtype = "float32" if t.dtype == torch.float16 else str(t.dtype).replace("torch.", "")
        return R.array(np.round(self.rng.standard_normal(tuple(t.shape)), 3).astype(dtype))

    def backward(self):
        outs = [s for s in self.loss_terms if not self.chance(20)]
        if not outs:
            return
        second = self.second_order and self.second_order_ok
        modes = ["sum", "autograd.backward", "each"]
        if "sgn" in self.ops:
            # sgn's gradient is a ZeroTensor in PyTorch, which a second backward call cannot accumulate into
            # ("ZeroTensors are immutable"): a PyTorch limitation that dxdy has no reason to copy.
            modes.remove("each")
        mode = "sum" if second else self.draw(st.sampled_from(modes))
        half = [s for s in outs if s.value.dtype == torch.float16]
        if mode != "sum" and half:
            outs = [s for s in outs if s not in half] or half[:1]
            mode = "sum"
        terms = []
        for s in outs:
            value = f"{s.expr}.to(torch.float32)" if s.value.dtype == torch.float16 else s.expr
            terms.append(f"({value} * {self.cotangent(s.value)}).sum()")
        cots = [self.cotangent(s.value) for s in outs]
        self.lines.append("# back-propagation")
        if mode == "sum":
            self.lines.append("loss = " + " + ".join(terms))
        if mode == "sum" and not second:
            self.lines.append("loss.backward()")
        elif mode == "autograd.backward":
            self.lines.append(f"torch.autograd.backward([{', '.join(s.expr for s in outs)}], [{', '.join(cots)}])")
        elif mode == "each":
            for k, (s, c) in enumerate(zip(outs, cots)):
                retain = ", retain_graph=True" if k < len(outs) - 1 else ""
                self.lines.append(f"{s.expr}.backward({c}{retain})")
        if second:
            self.second_derivatives()

    def second_derivatives(self):
        leaves = "[" + ", ".join(self.grad_leaves) + "]"
        weights = [self.cotangent(self.env[x]) for x in self.grad_leaves]
        # Whether a first derivative requires grad depends on how a library writes its formulas (PyTorch's
        # relu gradient does, though its own derivative is zero), so every leaf gets a zero-weighted path
        # into the second differentiation, and second derivatives are compared as values, zeros included.
        self.lines += [
            f"g1 = torch.autograd.grad(loss, {leaves}, create_graph=True, allow_unused=True)",
            f"w1 = [{', '.join(weights)}]",
            "terms = [(g * w).sum() for g, w in zip(g1, w1) if g is not None and g.requires_grad]",
            f"zero = sum((x * 0).sum() for x in {leaves})",
            f"g2 = torch.autograd.grad(sum(terms) + zero, {leaves})",
        ]
        self.node_names.update(g1=None, g2=None)

    def add_op_line(self, line, op_name):
        """A step written by hand (`vK = ...`), run in PyTorch now; its result is offered to the loss."""
        name = f"v{len(self.ops)}"
        self.lines.append(f"{name} = {line}")
        exec(self.lines[-1], self.env)
        self.node_names[name] = None
        self.ops.append(op_name)
        for expr, t in tensors_in(self.env[name], name):
            self.add_source(expr, t)
            if t.requires_grad:
                self.loss_terms.append(Source(expr, t))

    def program(self, extra_results=()):
        results = [f"{name!r}: {name}" for name in self.node_names if name.startswith("v")]
        results += [f"'{x}.grad': {x}.grad" for x in self.all_leaves]
        results += [f"{name!r}: {name}" for name in ("g1", "g2") if name in self.node_names]
        results += [f"{name!r}: {name}" for name in extra_results]
        body = self.lines + ["return {" + ", ".join(results) + "}"]
        source = "def program(torch):\n" + "".join(f"    {line}\n" for line in body)
        return Program(source, self.node_names, self.random, self.low_precision, self.ops)


def tensors_in(value, expr):
    """(expression, tensor) for each tensor in an op's result (a tensor, or tuples of them)."""
    if isinstance(value, torch.Tensor):
        yield expr, value
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from tensors_in(v, f"{expr}[{i}]")


@st.composite
def random_shape_strategy(draw, min_dims=0, min_size=0):
    """A shape of 0 to 4 dims, sizes 0 to 4 (at least `min_size`), with at most MAX_ELEMENTS elements."""
    shape = []
    for _ in range(draw(st.integers(min_dims, 4))):
        size = draw(st.sampled_from([s for s in SIZES if s >= min_size]))
        if math.prod(shape) * max(size, 1) <= MAX_ELEMENTS:
            shape.append(size)
    return tuple(shape)


@st.composite
def programs(draw, max_ops=MAX_OPS):
    """A random Program of 1 to `max_ops` steps."""
    builder = Builder(draw)
    for _ in range(draw(st.integers(1, max_ops))):
        builder.step()
    builder.backward()
    return builder.program()
