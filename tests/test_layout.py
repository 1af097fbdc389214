"""The shape the Layout issue settled, kept: a small ``bot/`` top, modules of one noun, settings read
in one place. (Imports between packages are checked by import-linter in ``make test``.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_PACKAGES = ("bot", "handlers", "models")
MAX_TOP_MODULES = 10
MAX_LINES = 330  # "under ~300 lines": a module past this wants splitting by noun


def _sources() -> list[Path]:
    files = [p for package in SOURCE_PACKAGES for p in (ROOT / package).rglob("*.py")]
    return [p for p in files if "migrations" not in p.parts]


def test_bot_has_at_most_ten_modules_at_its_top() -> None:
    top = sorted(p.stem for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_MODULES, top


def test_no_module_is_much_over_300_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n for p in _sources() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


ENVIRONMENT = ("environ", "environb", "getenv", "getenvb")


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENVIRONMENT
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ENVIRONMENT for alias in node.names)
        ):
            return True
    return False


def test_only_the_settings_read_the_environment() -> None:
    readers = [str(p.relative_to(ROOT)) for p in _sources() if _reads_environment(ast.parse(p.read_text()))]
    assert readers == []
