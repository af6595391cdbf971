"""The example clients in docs/examples run against a real server and do what they say: a
projector screen and a phone join, the phone scores, and the screen's tally counts it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.servers import pb_served

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def scoring_session(live_app: Any, title: str) -> tuple[str, str]:
    """A session whose first pitch is open for scoring; return its join code and that
    pitch's proposal id."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=title, area="Riverside", budget_minor=2_000_000, currency="GBP",
            ballot_method="scoring", tally_rule="greedy", language="en"))
        pitch = Proposal(round_id=round_.id, title="Skate park lights", summary="Lights.",
                         cost_minor=900_000, status="shortlisted", area="Riverside",
                         language="en")
        db.session.add(pitch)
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        session = live.do_create(officer, round_, f"{title} night", "open", "scoring",
                                 [(pitch.id, 120, 60)])
        live.do_control(officer, session, "start")
        live.do_control(officer, session, "open_scoring")
        found = (session.join_code, str(pitch.id))
        db.session.remove()
    return found


def check(lines: list[str]) -> None:
    said = {k: v for line in lines for k, v in json.loads(line).items()}
    assert said["screen"] == {"ok": True, "phase": "scoring", "scoring": "current"}
    assert said["phone"] == {"ok": True, "participant": True}
    assert said["vote"]["ok"] is True and said["vote"]["receipt"]
    assert said["tally"] == {"scored": 1, "paper": 0}


@pytest.fixture()
def served(live_app: Any, tmp_path: Path) -> Iterator[str]:
    """`pb serve` (gevent, real websockets, production settings) on the browser tests'
    database, as a third party's client would meet it; yield its URL."""
    with pb_served(live_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as url:
        yield url


def test_the_python_example(served: str, live_app: Any) -> None:
    code, _pitch = scoring_session(live_app, "Python example fund")
    done = subprocess.run([sys.executable, str(EXAMPLES / "live_client.py"), served, code],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    check(done.stdout.splitlines())


def test_the_javascript_example_in_chromium(page: Page, base_url: str, live_app: Any) -> None:
    code, _pitch = scoring_session(live_app, "JavaScript example fund")
    page.goto("/")
    page.add_script_tag(url="/static/vendor/socket.io/socket.io.min.js")
    # Evaluated rather than added as an inline script, which the site's CSP refuses.
    example = (EXAMPLES / "live_client.js").read_text()
    lines = page.evaluate(f"([url, code]) => {{\n{example}\nreturn pbLiveExample(url, code); }}",
                          [base_url, code])
    check(lines)
