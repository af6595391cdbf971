"""A phone that kept a participant token the session does not know (a reset database, say)
is refused it over the socket, and its page joins again as someone new by itself."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def test_a_phone_with_an_unknown_token_joins_as_someone_new(page: Page,
                                                            live_app: Any) -> None:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import LiveParticipant, LiveSession, Round
    from pb.services import accounts, live

    with live_app.app_context():
        # A session of its own, in its lobby: other tests run the demo's evening to the end.
        round_ = db.session.scalar(sa.select(Round).join(LiveSession).order_by(Round.id))
        officer = accounts.find_by_email("officer@demo.example.org")
        agenda = [(item.proposal_id, 60, 60) for item in db.session.scalar(
            sa.select(LiveSession).where(LiveSession.round_id == round_.id)).items]
        code = live.do_create(officer, round_, "Stale token night", "open", "scoring",
                              agenda).join_code
        before = db.session.scalar(sa.select(sa.func.count(LiveParticipant.id)))
        db.session.remove()
    stale = "s" * 32
    page.add_init_script(f"window.localStorage.setItem('pb-live:{code}', '{stale}');")
    page.goto(f"/live/j/{code}")
    expect(page.locator("#p-title")).to_be_visible()
    expect(page.locator("#gone")).to_be_hidden()
    page.wait_for_function("([key, stale]) => window.localStorage.getItem(key) !== stale",
                           arg=[f"pb-live:{code}", stale])
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LiveParticipant.id))) == before + 1
        db.session.remove()
