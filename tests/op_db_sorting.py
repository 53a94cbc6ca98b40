"""Op table rows: sorting and selection."""
from op_info import OpInfo, Sample


def _distinct(make, shape):
    # Distinct values, so that PyTorch and dxdy agree on which element is where.
    a = make(shape)
    return a + (make.rng.permutation(a.size).reshape(shape) * 0.1).astype(a.dtype) if a.size else a


SORTING = [
    OpInfo("sort", lambda make, dtype: [Sample((_distinct(make, (5,)),)), Sample((_distinct(make, (3, 4)), 0)),
                                        Sample((_distinct(make, (3, 4)),), {"descending": True}),
                                        Sample((_distinct(make, (2, 0)),))]),
    OpInfo("argsort", lambda make, dtype: [Sample((_distinct(make, (5,)),)),
                                           Sample((_distinct(make, (3, 4)), 0, True))], grad=False),
    OpInfo("msort", lambda make, dtype: [Sample((_distinct(make, (4, 3)),))]),
    OpInfo("topk", lambda make, dtype: [Sample((_distinct(make, (6,)), 3)), Sample((_distinct(make, (3, 4)), 2, 0)),
                                        Sample((_distinct(make, (3, 4)), 2), {"largest": False})]),
    OpInfo("kthvalue", lambda make, dtype: [Sample((_distinct(make, (5,)), 2)),
                                            Sample((_distinct(make, (3, 4)), 3, 1, True))]),
    OpInfo("median", lambda make, dtype: [Sample((_distinct(make, (5,)),)), Sample((_distinct(make, (4, 3)),)),
                                          Sample((_distinct(make, (3, 4)), 1)), Sample((_distinct(make, (3, 4)), 0, True))]),
]
