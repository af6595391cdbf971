"""pb as a council installs it: the built wheel, in a fresh virtualenv outside the checkout,
run from another directory, builds its database and serves every kind of page."""

from __future__ import annotations

import re
import site
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import SECRET, free_port, stop, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the checkout, as `pip wheel .` does (hatchling, no isolation)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    (found,) = out.glob("pb-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel alone in a new virtualenv; the dependencies come from the test's
    own environment (a path entry, so the checkout's editable pb is not among them)."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home)
    (packages,) = home.glob("lib/python*/site-packages")
    (packages / "dependencies.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if "site-packages" in p) + "\n")
    python = home / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "-q", str(wheel)], check=True)
    return home


def test_the_wheel_carries_templates_static_files_migrations_and_catalogues(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("pb/templates/base.html", "pb/static/css/app.css",
                     "pb/migrations/env.py", "pb/translations/cy/LC_MESSAGES/messages.mo"):
        assert expected in names, expected
    assert not any(n.startswith(("tests/", "e2e/", "templates/")) for n in names)


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pb db upgrade`, then `pb serve`, from a directory that is not the checkout."""
    work = tmp_path_factory.mktemp("elsewhere")
    (work / "pb").mkdir()  # a folder named like the package must not shadow it
    env = {"PATH": f"{installed / 'bin'}:/usr/bin:/bin", "SECRET_KEY": SECRET,
           "PB_DATABASE_URL": f"sqlite:///{work / 'site.sqlite3'}", "HOME": str(work)}
    pb = str(installed / "bin" / "pb")
    upgrade = subprocess.run([pb, "db", "upgrade"], cwd=work, env=env, capture_output=True,
                             text=True, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    port = free_port()
    log = work / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([pb, "serve", "--port", str(port)], cwd=work, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, process, log)
        yield url
    finally:
        stop(process)
    assert not (installed / "instance").exists()


def test_the_installed_pb_is_not_the_checkout(installed: Path) -> None:
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import pb.config as c; print(c.ROOT, c.INSTALLED)"],
                           capture_output=True, text=True, check=True, cwd="/").stdout
    assert str(installed) in where and where.split()[-1] == "True"


def test_pages_in_english_and_welsh(served: str) -> None:
    home = requests.get(served + "/", timeout=10)
    assert home.status_code == 200 and "Log in" in home.text
    welsh = requests.get(served + "/?lang=cy", timeout=10)
    assert '<html lang="cy">' in welsh.text and "Mewngofnodi" in welsh.text


def test_static_files_with_their_long_cache(served: str) -> None:
    home = requests.get(served + "/", timeout=10).text
    (css,) = re.findall(r'href="(/static/css/app\.[0-9a-f]+\.css)"', home)
    response = requests.get(served + css, timeout=10)
    assert response.status_code == 200 and response.text.strip()
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_the_atom_feed_and_a_missing_page(served: str) -> None:
    feed = requests.get(served + "/records/feed.atom", timeout=10)
    assert feed.status_code == 200 and feed.text.startswith("<?xml")
    missing = requests.get(served + "/no-such-page", timeout=10)
    assert missing.status_code == 404 and "<html" in missing.text
