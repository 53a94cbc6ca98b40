"""Differential testing of errors: random misuse raises in dxdy what it raises in PyTorch."""
from hypothesis import given, note

from fuzz_compare import check_program
from fuzz_misuse import misuses
from fuzz_settings import fuzz_settings


@fuzz_settings(ci_examples=2000)
@given(misuses())
def test_misuse_raises_what_torch_raises(misuse):
    note(misuse.listing())
    check_program(misuse.program, compare_messages=misuse.message)
