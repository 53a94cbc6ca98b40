"""Op table rows: element-wise ops, reductions and conversions."""
import numpy as np

from op_info import OpInfo, Sample, unary_samples, binary_samples, UNARY_SHAPES, BINARY_SHAPES

ELEMENTWISE = [
    OpInfo("add", binary_samples()),
    OpInfo("sub", binary_samples()),
    OpInfo("mul", binary_samples()),
    OpInfo("div", binary_samples(lo=0.5, hi=2.0)),
    OpInfo("exp", unary_samples()),
    OpInfo("log", unary_samples(lo=0.1, hi=3.0)),
    OpInfo("sin", unary_samples()),
    OpInfo("tanh", unary_samples()),
    OpInfo("sigmoid", unary_samples()),
]

REDUCE = [
    OpInfo("sum", lambda make, dtype: [Sample((make((2, 3)),)), Sample((make((2, 3)), 1)),
                                       Sample((make((2, 3, 4)), (0, 2), True)), Sample((make(()),)),
                                       Sample((make((0, 3)), 0))]),
    OpInfo("mean", lambda make, dtype: [Sample((make((2, 3)),)), Sample((make((2, 3)), -1, True))]),
]

CONVERT = []
