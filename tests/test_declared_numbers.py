"""No hidden numbers: every numeric literal in the model's mechanism and reform modules is
declared or explained.

The test walks the source of every module under ``src/missionsim/model`` (the mechanisms,
the agents and the reforms) and lists each numeric literal outside docstrings. Allowed
without a declaration: 0 and 1, and a literal on a line whose comment says why it is
structural (``# structural: ...``) or a unit conversion (``# unit: ...``). Everything else must
be a declared parameter (``data/parameters/*.toml``), read from the model's parameters.

Not walked: ``params.py`` (it loads the declarations) and ``missions.py`` (mission records are
data: their numbers carry sources in the records themselves).
"""

from __future__ import annotations

import ast
import tokenize
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[1] / "src" / "missionsim" / "model"
NOT_WALKED = {"params.py", "missions.py"}
EXPLAINED = ("# structural:", "# unit:")


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the constant nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def comments(path: Path) -> dict[int, str]:
    """Line number to the comment on that line."""
    with path.open("rb") as f:
        return {tok.start[0]: tok.string for tok in tokenize.tokenize(f.readline)
                if tok.type == tokenize.COMMENT}


def undeclared(path: Path, root: Path = MODEL.parent) -> list[str]:
    """``file:line: value`` of every literal that is neither 0, 1 nor explained."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip, notes = docstrings(tree), comments(path)
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                and not isinstance(node.value, bool) and id(node) not in skip
                and node.value not in (0, 1)
                and not any(e in notes.get(node.lineno, "") for e in EXPLAINED)):
            out.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
    return out


MODULES = sorted(p for p in MODEL.rglob("*.py") if p.name not in NOT_WALKED)


def test_the_scan_walks_the_mechanisms_agents_and_reforms():
    names = {p.relative_to(MODEL).as_posix() for p in MODULES}
    assert {"finance.py", "outcomes.py", "ties.py", "workforce.py", "agents/council.py",
            "reforms/governance.py", "reforms/base.py"} <= names


def test_the_scan_finds_an_undeclared_number(tmp_path):
    module = tmp_path / "mechanism.py"
    module.write_text('"""Doc 0.5."""\n\nA = 0.5 * x\nB = 12 / y  # unit: months a year\n'
                      "C = 1.0 + 0 * z\n", encoding="utf-8")
    assert undeclared(module, tmp_path) == ["mechanism.py:3: 0.5"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(MODEL).as_posix())
def test_every_number_in_the_model_is_declared_or_explained(path):
    assert undeclared(path) == []
