"""The settings a fuzz test runs under: the profile named on the command line, else "fuzz-ci"."""
from hypothesis import settings


def fuzz_settings(ci_examples):
    """Decorator: `ci_examples` fixed-seed examples by default; `--hypothesis-profile=NAME` takes over."""
    if settings.get_current_profile_name() != "default":
        return lambda test: test  # a profile was chosen (e.g. "long"): it applies as it is
    return settings(settings.get_profile("fuzz-ci"), max_examples=ci_examples)
