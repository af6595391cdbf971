"""`pb sortition verify` and the Python recipe in docs/sortition.md replay a real draw."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from freezegun import freeze_time

from pb.commands.sortition import sortition_group
from pb.services.council import selection as sel
from tests.factories import NOW, link, opened, volunteers

DOCS = Path(__file__).resolve().parent.parent / "docs" / "sortition.md"


def drawn_folder(make_user: Any, folder: Path) -> Any:
    officer, _council, recruitment = opened(make_user)
    volunteers(recruitment, 10)
    second = make_user("officer")
    with freeze_time(NOW + timedelta(days=11)):
        sel.do_publish(officer, recruitment, greedy_runs=10)
        sel.do_enter_seed(officer, recruitment, "40 2 17 9 23", link)
        sel.do_enter_seed(second, recruitment, "40 2 17 9 23", link)
    for name, text in sel.files(recruitment).items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    (folder / "selection.json").write_text(json.dumps(sel.manifest(recruitment)))
    return recruitment


def test_verify_prints_the_panel_drawn_and_refuses_a_changed_file(make_user: Any,
                                                                   tmp_path: Path) -> None:
    recruitment = drawn_folder(make_user, tmp_path)
    panel = " ".join(str(n) for n in json.loads(
        (tmp_path / "selection.json").read_text())["panel"])
    result = CliRunner().invoke(sortition_group, ["verify", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"draws panel {recruitment.panel_number} of 100" in result.output
    assert panel in result.output
    assert "This is the panel published as drawn." in result.output
    # Another seed: the same check, maybe another panel, and no claim it was the one drawn.
    other = CliRunner().invoke(sortition_group, ["verify", str(tmp_path), "--seed", "1 2 3 4"])
    assert other.exit_code == 0 and "published as drawn" not in other.output
    # One volunteer's number changed in the pool: the hash no longer matches.
    pool = (tmp_path / "pool.csv").read_text()
    first = pool.splitlines()[1].split(",")[0]
    (tmp_path / "pool.csv").write_text(pool.replace(first, "999999", 1))
    bad = CliRunner().invoke(sortition_group, ["verify", str(tmp_path)])
    assert bad.exit_code == 1
    assert "pool.csv is not the published file" in bad.output


def test_the_python_recipe_in_the_docs_prints_the_same_panel(make_user: Any,
                                                             tmp_path: Path) -> None:
    recruitment = drawn_folder(make_user, tmp_path)
    recipe = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert recipe is not None
    (tmp_path / "recipe.py").write_text(recipe.group(1))
    done = subprocess.run([sys.executable, str(tmp_path / "recipe.py"), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    panel = " ".join(str(n) for n in sel.manifest(recruitment)["panel"])  # type: ignore[union-attr]
    assert done.stdout.strip() == f"panel {recruitment.panel_number} of 100 : {panel}"


def test_publish_on_the_server_computes_and_publishes(app: Any, make_user: Any) -> None:
    officer, _council, recruitment = opened(make_user)
    volunteers(recruitment, 8)
    runner = app.test_cli_runner()
    with freeze_time(NOW):
        early = runner.invoke(sortition_group, ["publish", str(recruitment.id), "--as",
                                                officer.email])
    assert early.exit_code == 1 and "still open" in early.output
    unknown = runner.invoke(sortition_group, ["publish", "999", "--as", officer.email])
    assert "There is no recruitment 999." in unknown.output
    with freeze_time(NOW + timedelta(days=11)):
        done = runner.invoke(sortition_group, ["publish", str(recruitment.id), "--as",
                                               officer.email])
    assert done.exit_code == 0, done.output
    assert "Published: 8 volunteers" in done.output
    assert recruitment.published_at is not None
