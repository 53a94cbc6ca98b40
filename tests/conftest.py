"""Hypothesis profiles for the differential fuzz tests (tests/fuzz).

    python -m pytest tests/fuzz                              # "fuzz-ci": a fixed-seed share, about 2 minutes
    python -m pytest tests/fuzz --hypothesis-profile=long    # 10^4 programs per fuzz test

The fuzz tests apply "fuzz-ci" themselves when no profile is chosen on the command
line (tests/fuzz/fuzz_settings.py), so the settings of other tests stay hypothesis's own.
"""
from hypothesis import HealthCheck, settings

# Building a program runs PyTorch step by step: slow for hypothesis's taste, and not a problem.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

# Fixed seed, so that CI runs the same programs every time; a failure is then reproducible by rerunning.
settings.register_profile("fuzz-ci", derandomize=True, deadline=None, max_examples=300,
                          suppress_health_check=_SLOW_IS_FINE, print_blob=True)
# Fresh programs on every run; a failure prints the program and a blob to replay it (@reproduce_failure).
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=_SLOW_IS_FINE,
                          print_blob=True)
