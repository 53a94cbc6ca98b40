"""The import structure: tensor.py, which every module imports, imports nothing of dxdy but dtypes and mode."""
import ast
import pathlib

import dxdy

SRC = pathlib.Path(dxdy.__file__).parent


def package_imports(path, root=SRC.parent):
    """The dxdy modules a file imports, anywhere in it (at the top or inside functions), as dotted names."""
    package = path.relative_to(root).with_suffix("").parts[:-1]  # ("dxdy",) for dxdy/tensor.py
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ((node.module,) if node.module else ()))
            elif (node.module or "").split(".")[0] == "dxdy":
                base = node.module
            else:
                continue
            from_package = base == "dxdy" or not node.module  # `from . import dtypes`: the names are modules
            found += [f"{base}.{a.name}" for a in node.names] if from_package else [base]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "dxdy"]
    return found


def test_the_helper_sees_imports_at_any_depth(tmp_path):
    # (so that the test below can fail: relative, absolute and function-level imports are all found)
    module = tmp_path / "dxdy" / "ops" / "some.py"
    module.parent.mkdir(parents=True)
    module.write_text("import numpy\nfrom .. import dtypes\nfrom ..tensor import Tensor\nimport dxdy.mode\n"
                      "def f():\n    from .elementwise import exp\n    from dxdy import graph\n")
    assert package_imports(module, tmp_path) == ["dxdy.dtypes", "dxdy.tensor", "dxdy.mode", "dxdy.ops.elementwise",
                                                 "dxdy.graph"]


def test_tensor_imports_only_dtypes_and_mode():
    assert sorted(set(package_imports(SRC / "tensor.py"))) == ["dxdy.dtypes", "dxdy.mode"]
