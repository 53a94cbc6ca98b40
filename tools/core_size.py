"""Lines per module of dxdy, and the core's budget (issue "One op, one row, one fast path").

    python tools/core_size.py            # every module, the core first
    python tools/core_size.py --check    # exit status 1 when the core is over its budget

"Code" counts lines that hold code: not blank, not only a comment, not a docstring. "All" counts every
line. The core is the tensor, the engine, the graph, grad mode and the op record with its call path: what
every op of every program runs through, and what a reader must hold in mind to add an op. saved_tensors.py
is not in it: it is the saved-tensor-hooks feature (autograd.graph.saved_tensors_hooks, register_hooks),
which a program meets only when it asks for it, not the op record.
"""
import argparse
import ast
import io
import pathlib
import sys
import tokenize

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "dxdy"
CORE = ("tensor.py", "engine.py", "graph.py", "mode.py", "ops/_op.py")
BUDGET = 1500  # code lines of the core


def code_lines(path):
    """How many lines of `path` hold code (docstrings, other bare strings and comments do not count)."""
    source = pathlib.Path(path).read_text()
    strings = set()  # the lines of statements that are only a string: docstrings
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            strings.update(range(node.lineno, node.end_lineno + 1))
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in _NOT_CODE:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - strings)


_NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def sizes():
    """[(module path relative to src/dxdy, code lines, all lines)], sorted by path."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        out.append((rel, code_lines(path), len(path.read_text().splitlines())))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the core is over its budget")
    args = parser.parse_args(argv)
    table = sizes()
    core = [row for row in table if row[0] in CORE]
    rest = [row for row in table if row[0] not in CORE]
    out = io.StringIO()
    out.write(f"{'module':<28}{'code':>7}{'all':>7}\n")
    for title, rows in (("core", core), ("the rest", rest)):
        out.write(f"-- {title}\n")
        for rel, code, everything in rows:
            out.write(f"{rel:<28}{code:>7}{everything:>7}\n")
        out.write(f"{'total':<28}{sum(r[1] for r in rows):>7}{sum(r[2] for r in rows):>7}\n")
    core_code = sum(r[1] for r in core)
    verdict = "within" if core_code <= BUDGET else "OVER"
    out.write(f"\ncore: {core_code} code lines, {verdict} its budget of {BUDGET}\n")
    sys.stdout.write(out.getvalue())
    return 1 if args.check and core_code > BUDGET else 0


if __name__ == "__main__":
    sys.exit(main())
