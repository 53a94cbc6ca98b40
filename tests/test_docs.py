"""docs/ops.md shows real rows: each row of its Python examples occurs, as it is, in the source it describes.

A row (a line at the block's left margin and the indented lines that continue it) occurs in src/dxdy/ops/,
an op table row in tests/op_db_*.py; lines are compared without their indentation, so a row quoted from
inside a list still counts.
"""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ops.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def _lines(text):
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _source(block):
    files = ROOT.glob("tests/op_db*.py") if block.lstrip().startswith("OpInfo(") else ROOT.glob("src/dxdy/ops/*.py")
    return "\n".join(_lines(f.read_text()) for f in sorted(files))


def _rows(block):
    rows = []
    for line in block.splitlines():
        if line.strip() and (not line[0].isspace() or not rows):
            rows.append(line)
        elif line.strip():
            rows[-1] += "\n" + line
    return rows


ROWS = [row for block in BLOCKS for row in _rows(block)]


def test_the_doc_has_examples():
    assert len(BLOCKS) >= 4 and len(ROWS) >= 6


@pytest.mark.parametrize("row", ROWS, ids=[r.split(",")[0] for r in ROWS])
def test_each_example_is_a_real_row(row):
    assert "\n" + _lines(row) + "\n" in "\n" + _source(row) + "\n", \
        f"docs/ops.md shows a row the source does not have:\n{row}"
