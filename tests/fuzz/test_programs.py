"""Differential testing: random programs of op-table calls give the same results in dxdy and PyTorch."""
from hypothesis import given, note

from fuzz_compare import check_program
from fuzz_program import programs
from fuzz_settings import fuzz_settings


@fuzz_settings(ci_examples=4000)
@given(programs())
def test_random_program_matches_torch(program):
    note(program.listing())
    check_program(program)
