"""The tutorial's listings print, under `import dxdy as torch`, what they print under PyTorch.

tests/tutorial/ holds each listing as written for PyTorch with the output
PyTorch 2.13 (CPU) prints for it. Each listing runs in a fresh interpreter,
once with dxdy in place of torch and once with torch itself (so the expected
files stay the oracle's real output).
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from dxdy import tour

ROOT = pathlib.Path(__file__).parent.parent
TUTORIAL = ROOT / "tests" / "tutorial"
SRC = ROOT / "src"
LISTINGS = sorted(TUTORIAL.glob("listing*.py"))


def run_script(source, tmp_path):
    """Run `source` as a script in a fresh interpreter (this checkout's dxdy first); return stdout."""
    script = tmp_path / "listing.py"
    script.write_text(source)
    env = dict(os.environ, PYTHONIOENCODING="utf-8",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def as_dxdy(listing):
    """The listing with its first line, `import torch`, made `import dxdy as torch`."""
    first, rest = listing.read_text().split("\n", 1)
    assert first == "import torch"
    return "import dxdy as torch\n" + rest


def expected(listing):
    return listing.with_suffix(".expected").read_text()


def test_all_three_listings_are_here():
    assert [p.name for p in LISTINGS] == ["listing1.py", "listing2.py", "listing3.py"]
    assert all(p.with_suffix(".expected").is_file() for p in LISTINGS)


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda p: p.stem)
def test_listing_prints_what_pytorch_prints(listing, tmp_path):
    assert run_script(as_dxdy(listing), tmp_path) == expected(listing).replace("torch.", "dxdy.")


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda p: p.stem)
def test_expected_output_is_what_pytorch_prints(listing, tmp_path):
    assert run_script(listing.read_text(), tmp_path) == expected(listing)


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda p: p.stem)
def test_the_tour_runs_these_listings(listing):
    assert tour.LISTINGS[int(listing.stem.removeprefix("listing"))] == as_dxdy(listing)


def test_readme_starts_with_the_two_commands():
    assert (ROOT / "README.md").read_text().startswith(
        '```bash\npip install . && python -m dxdy tour\npip install -e ".[test]" && python -m pytest\n```\n')


def test_readme_example_is_listing_1_and_prints_what_the_readme_says(tmp_path):
    blocks = re.findall(r"```(\w*)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    code = next(body for lang, body in blocks if lang == "python")
    shown = blocks[[body for _, body in blocks].index(code) + 1][1]
    assert code == as_dxdy(TUTORIAL / "listing1.py")
    assert run_script(code, tmp_path) == shown
