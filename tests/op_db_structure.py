"""Op table rows: shape, indexing, linear algebra and nn ops."""
import numpy as np

from op_info import OpInfo, Sample, unary_samples, binary_samples

SHAPE = []
INDEX = []
LINALG = [
    OpInfo("dot", lambda make, dtype: [Sample((make((3,)), make((3,))))]),
    OpInfo("matmul", lambda make, dtype: [Sample((make(a), make(b)), name=f"{a}@{b}") for a, b in
                                          [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                           ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2))]]),
]

NN = []
