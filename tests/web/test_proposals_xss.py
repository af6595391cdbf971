"""Every XSS payload, typed into each text field of a proposal, is stored as typed and never
rendered as something that could run."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal
from tests.xss_payloads import PAYLOADS, unsafe_markup

# Where each page shows what people wrote (after the page's own forms, before the discussion).
REGIONS = {"show": ('class="proposal-page"', 'class="discussion"'),
           "list": ('aria-labelledby="list-title"', "</main>"),
           "round": ('aria-labelledby="proposals-title"', 'aria-labelledby="timeline-title"')}


def user_content(html: str, region: str) -> str:
    """Return the part of a page that shows user text, without our own budget-bar SVGs."""
    start, end = REGIONS[region]
    part = html[html.index(start):html.index(end, html.index(start))]
    return re.sub(r'<svg class="bar".*?</svg>', "", part, flags=re.S)


def test_there_are_enough_payloads() -> None:
    assert len(PAYLOADS) >= 50


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_stored_as_typed_and_rendered_safely(client: Any, make_user: Any,
                                                        login: Any, make_round: Any,
                                                        payload: str) -> None:
    round_ = make_round("proposals")
    login(make_user())
    response = client.post(f"/rounds/{round_.id}/proposals/new", data={
        "title": payload[:200], "summary": payload[:500], "body": f"Intro\n\n{payload}",
        "cost": "100", "category": payload[:80], "area": payload[:80], "form_key": "k",
        "action": "submit"})
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.body == f"Intro\n\n{payload}".rstrip()  # stored as typed, escaped on output
    client.post("/account/logout")
    for url, region in ((f"/proposals/{proposal.id}", "show"),
                        (f"/rounds/{round_.id}/proposals", "list"),
                        (f"/rounds/{round_.id}", "round")):
        html = client.get(url).get_data(as_text=True)
        assert "Intro" in html or region != "show"
        assert unsafe_markup(user_content(html, region)) == [], url
