"""The op table the generic tests run on (DESIGN.md, principle 6).

One OpInfo per public op (see op_info.py): how to call it in dxdy and in PyTorch,
and sample inputs made of NumPy arrays, so that one sample feeds both libraries.
tests/test_ops.py checks every op against PyTorch (forward values, dtype and
grad_fn name; gradients for a random upstream gradient) and against finite
differences (gradcheck, gradgradcheck). The rows live in op_db_*.py by family.
"""
from op_db_elementwise import ELEMENTWISE, REDUCE, CONVERT
from op_db_structure import SHAPE, INDEX, LINALG, NN
from op_db_sorting import SORTING
from op_db_scans_sets_special import SCANS_SETS_SPECIAL
from op_db_nn import NN_LAYERS
from op_info import Maker  # noqa: F401

OP_DB = ELEMENTWISE + REDUCE + CONVERT + SHAPE + INDEX + LINALG + NN + SORTING + SCANS_SETS_SPECIAL + NN_LAYERS

# Public names that are not ops (no gradient to check): creation, random numbers, modes,
# dtypes and classes, and utilities. Each is tested in its own test module.
NOT_OPS = set("""
tensor as_tensor asarray from_numpy scalar_tensor zeros ones empty full zeros_like ones_like empty_like full_like
eye arange range linspace logspace rand randn rand_like randn_like randint randint_like randperm normal bernoulli
multinomial manual_seed seed initial_seed get_rng_state set_rng_state Generator
FloatTensor DoubleTensor HalfTensor LongTensor IntTensor ShortTensor CharTensor ByteTensor BoolTensor
Tensor Size device dtype no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled
is_inference_mode_enabled get_default_dtype set_default_dtype promote_types result_type can_cast is_tensor
is_floating_point numel set_num_threads get_num_threads compile set_printoptions get_printoptions
broadcast_shapes is_anomaly_enabled is_anomaly_check_nan_enabled
finfo iinfo
""".split()) | {  # nn.functional's functions under their top-level names too (the rows are nn.functional's):
    "conv1d", "conv2d", "prelu", "bilinear", "celu_", "selu_", "threshold_", "relu_"}  # tests/test_aliases.py


def ops_by_name():
    table = {}
    for info in OP_DB:
        table.setdefault(info.name, []).append(info)
    return table
