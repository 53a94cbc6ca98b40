"""`dxdy.cuda` and `dxdy.backends`: the questions scripts ask, answered for a CPU-only library."""
import types

cuda = types.SimpleNamespace(is_available=lambda: False, device_count=lambda: 0,
                             manual_seed=lambda seed: None, manual_seed_all=lambda seed: None)
backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: False),
                                 cudnn=types.SimpleNamespace(deterministic=False, benchmark=False))
