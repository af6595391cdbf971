"""The house rules of pb/'s architecture, kept by tests: import-linter's contracts hold, and
break on an upward import; no module grows past ~400 lines; no import cycles."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 420  # "about 400": a module past this is doing two jobs


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the pb package found in `where`, with the repo's contracts."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
                          cwd=where, capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"})


def copy_of_pb(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "pb", tmp_path / "pb", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is in the test extra")
def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is in the test extra")
@pytest.mark.parametrize(("module", "upward"), [
    ("pb/models/round.py", "import pb.services.rounds"),  # a model reaching for a use case
    ("pb/services/rounds.py", "import pb.web.helpers"),  # a use case rendering pages
    ("pb/domain/money.py", "import flask"),  # the pure domain importing Flask
    ("pb/web/rounds/routes.py", "import pb.web.voting.routes"),  # one feature's pages another's
])
def test_an_upward_import_breaks_a_contract(tmp_path: Path, module: str, upward: str) -> None:
    where = copy_of_pb(tmp_path)
    path = where / module
    path.write_text(path.read_text() + f"\n{upward}  # noqa\n")
    result = lint_imports(where)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def _modules() -> list[Path]:
    return sorted(p for p in (ROOT / "pb").rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_is_past_about_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules: {long}"


def test_every_package_says_what_lives_there_and_what_it_may_import() -> None:
    silent = [str(p.relative_to(ROOT)) for p in _modules()
              if p.name == "__init__.py"
              and not (ast.get_docstring(ast.parse(p.read_text())) or "").count("import")]
    assert silent == []


def test_pb_tally_loads_only_what_counting_needs() -> None:
    """`pb.cli` imports its own commands lazily: `pb tally FILE` (and importing `pb.cli`)
    loads neither the services, the models nor Socket.IO; `pb --help` still lists them."""
    code = ("import sys\n"
            "from click.testing import CliRunner\n"
            "from pb.cli import cli\n"
            "loaded = set(sys.modules)\n"
            "result = CliRunner().invoke(cli, ['tally', '--help'])\n"
            "assert result.exit_code == 0, result.output\n"
            "heavy = {'pb.services', 'pb.models', 'pb.extensions', 'flask_socketio', "
            "'sqlalchemy', 'pb.commands.sortition', 'pb.loadtest'}\n"
            "print(sorted(heavy & (loaded | set(sys.modules))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_pb_help_lists_the_lazy_commands() -> None:
    from click.testing import CliRunner  # noqa: PLC0415  (tests may import inside a test)

    from pb.cli import LAZY_COMMANDS, cli  # noqa: PLC0415

    listed = CliRunner().invoke(cli, ["--help"])
    assert listed.exit_code == 0, listed.output
    for name in LAZY_COMMANDS:
        assert f"\n  {name} " in listed.output
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0
