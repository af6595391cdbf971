"""The worker runs as `pb worker` and inside the single-process `pb serve`
(docs/deploy/worker.md)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from flask import Flask

from pb.services.mail import send_mail, waiting
from tests.servers import free_port, pb_command, stop, wait_until_answering


class Inbox(Sink):
    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(envelope)
        return "250 OK"


def smtp_server() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def test_pb_worker_once_sends_what_waits(app: Flask) -> None:
    controller, inbox = smtp_server()
    try:
        app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=controller.port,
                          PB_SMTP_STARTTLS=False)
        send_mail("sam@example.org", "Waiting", "Body")
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code == 0 and "Sent 1 email(s); 0 waiting." in result.output
    finally:
        controller.stop()
    assert len(inbox.received) == 1 and waiting() == 0


@pytest.mark.parametrize("worker", [True, False])
def test_pb_serve_runs_the_worker_in_the_embedded_default(app: Flask, database_uri: str,
                                                          tmp_path: Path, worker: bool) -> None:
    controller, inbox = smtp_server()
    port, log = free_port(), tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "FLASK_"))}
    env.update({"PB_ENV": "development", "SECRET_KEY": "worker-test-secret",
                "PB_DATABASE_URL": database_uri, "PB_SMTP_HOST": "127.0.0.1",
                "PB_SMTP_PORT": str(controller.port), "PB_SMTP_STARTTLS": "0",
                "PB_INSTANCE_PATH": str(tmp_path)})
    send_mail("sam@example.org", "Sent by the server's worker", "Body")
    with log.open("wb") as out:
        server = subprocess.Popen([pb_command(), "serve", "--host", "127.0.0.1", "--port",
                                   str(port), "--worker" if worker else "--no-worker"],
                                  env=env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}", server, log)
        deadline = time.monotonic() + (20 if worker else 3)
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(server)
        controller.stop()
    assert len(inbox.received) == (1 if worker else 0), log.read_text()
