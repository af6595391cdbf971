"""The README's production recipe and the files it installs agree with each other and with
the `pb` command (the running of those files is tests/test_nginx.py's)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from flask import Flask

from pb.cli import cli
from pb.serve import serve_command

ROOT = Path(__file__).resolve().parent.parent


def recipe() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Production"):]
    return section[section.index("```sh") + 5:section.index("```\n", 5)]


def test_every_pb_command_of_the_recipe_exists(app: Flask) -> None:
    commands = set(cli.commands) | set(cli.lazy_commands) | set(app.cli.commands)
    used = set(re.findall(r"/opt/pb/venv/bin/pb ([a-z-]+)", recipe()))
    assert used >= {"db", "create-admin", "check-deploy"} and used <= commands, used - commands


def test_the_service_runs_the_port_nginx_forwards_to() -> None:
    unit = (ROOT / "docs" / "deploy" / "pb.service").read_text()
    start = shlex.split(re.search(r"^ExecStart=(.*)$", unit, re.M).group(1))  # type: ignore[union-attr]
    assert start[1] == "serve"
    options = {o for p in serve_command.params for o in p.opts}
    given = [word for word in start[2:] if word.startswith("--")]
    assert set(given) <= options
    port = start[start.index("--port") + 1]
    nginx = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    assert f"server 127.0.0.1:{port};" in nginx
    assert "EnvironmentFile=/etc/pb/environment" in unit and "/etc/pb/environment" in recipe()


def test_the_recipe_installs_the_files_it_names() -> None:
    for name in re.findall(r"cp (docs/deploy/\S+)", recipe()):
        assert (ROOT / name).is_file(), name
    assert (ROOT / "requirements-server.lock").is_file()
