"""How the tests are laid out: no test module is imported by another, and no fixture is imported.

Shared fixtures live in the nearest conftest.py, shared builders in tests/factories.py (and
servers in tests/servers.py). Importing a test module runs it twice under pytest and hides
which helpers are shared; importing a fixture re-registers it where nobody looks for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("tests", "e2e")
ADVICE = ("move the shared helper to a conftest.py (fixtures) or tests/factories.py "
          "(plain functions) and import it from there")


def python_files() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (line, imported module, imported name or None) for every import in `source`,
    at the top or inside functions, with relative imports resolved against `module`."""
    package = module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                yield node.lineno, base, alias.name


def imports_of_test_modules(source: str, module: str) -> list[str]:
    """Return the imports in `source` that reach a `test_*` module."""
    found = []
    for line, base, name in imports(source, module):
        target = f"{base}.{name}" if name else base  # `from tests.x import test_y` too
        if any(part.startswith("test_") for part in target.split(".")):
            found.append(f"line {line}: {target}")
    return found


def fixtures(source: str) -> set[str]:
    """Return the names of the functions `source` decorates as pytest fixtures."""
    found = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(called) in ("pytest.fixture", "fixture"):
                    found.add(node.name)
    return found


# The checks themselves ---------------------------------------------------------------------------

def test_no_test_module_is_imported_by_another_module() -> None:
    offences = [f"{path.relative_to(ROOT)} {found}" for path in python_files()
                for found in imports_of_test_modules(path.read_text(), module_name(path))]
    assert offences == [], f"a test module is imported; {ADVICE}:\n" + "\n".join(offences)


def test_no_fixture_is_imported() -> None:
    sources = {module_name(path): path.read_text() for path in python_files()}
    defined = {module: fixtures(source) for module, source in sources.items()}
    offences = [f"{module} line {line}: {name} from {base}"
                for module, source in sources.items()
                for line, base, name in imports(source, module)
                if name in defined.get(base, set())]
    assert offences == [], ("a fixture is imported; pytest finds fixtures in conftest.py "
                            "by itself:\n" + "\n".join(offences))


# ...and that they would catch what they are for ------------------------------------------------

@pytest.mark.parametrize("source", [
    "from tests.web.test_voting import add_projects",
    "from tests.realtime import test_live",
    "from tests.realtime.test_live import NS, console  # noqa: F401",
    "import tests.web.test_voting",
    "from .test_live import evening",
    "from . import test_vote_events",
    "def helper():\n    from e2e.test_inclusion import new_page\n",
])
def test_imports_of_test_modules_are_found(source: str) -> None:
    assert imports_of_test_modules(source, "tests.realtime.test_bad_payloads")


@pytest.mark.parametrize("source", [
    "from tests.factories import open_round, socket",
    "from tests.conftest import text",
    "from e2e.conftest import log_in",
    "from . import conftest",
    "import pytest",
])
def test_imports_of_support_modules_are_allowed(source: str) -> None:
    assert imports_of_test_modules(source, "tests.realtime.test_bad_payloads") == []


def test_fixtures_are_recognised() -> None:
    source = ("import pytest\n\n@pytest.fixture()\ndef app(): ...\n\n"
              "@pytest.fixture(scope='session')\ndef server(): ...\n\n"
              "@pytest.fixture\ndef client(): ...\n\ndef text(): ...\n")
    assert fixtures(source) == {"app", "server", "client"}
