"""A pytest plugin, registered by dxdy's installation: dxdy's silence about NumPy's RuntimeWarnings holds
under pytest too.

dxdy ignores NumPy's floating-point RuntimeWarnings raised in its own modules with a warnings filter
added when it is imported (NOTE in dxdy/__init__.py). pytest runs collection and every test inside
`warnings.catch_warnings()`, which throws away filters added inside it: a test module that imports
dxdy loses the filter again when its collection ends. Given to pytest as an ini `filterwarnings`
line, the same filter is applied in every context pytest makes. A `-W` option or a filterwarnings
mark of the user's own still comes first, as a filter of the user's does outside pytest.
"""

SILENCE = r"ignore::RuntimeWarning:dxdy(\.|$)"


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", SILENCE)
