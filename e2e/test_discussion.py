"""Discussion in Chromium at phone size: two residents see each other's comments live."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE, log_in, new_page
from tests.xss_payloads import PAYLOADS

PASSWORD = "the heron waits by the weir"
ANN = ("ann.discuss@e2e.example.org", "Ann Discusses")
BOB = ("bob.discuss@e2e.example.org", "Bob Replies")


def _proposal(live_app: Any, title: str) -> int:
    """Add a proposal to the demo round that is in deliberation; return its id."""
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Proposal, Round

    with live_app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.phase == "deliberation"))
        proposal = Proposal(round_id=round_.id, title=title, summary="Shade for the benches.",
                            cost_minor=900_000, status="feasible", language="en")
        db.session.add(proposal)
        db.session.commit()
        proposal_id = proposal.id
        db.session.remove()
    return proposal_id


def _people(live_app: Any) -> None:
    from pb.services import accounts

    with live_app.app_context():
        for email, name in (ANN, BOB):
            if accounts.find_by_email(email) is None:
                accounts.do_register(email, name, PASSWORD)


def _phone(browser: Browser, base_url: str) -> Page:
    return browser.new_context(base_url=base_url, viewport=PHONE, locale="en-GB").new_page()


def _watching(page: Page) -> None:
    """Wait until the page has joined the proposal's live room."""
    expect(page.locator("[data-discussion][data-live=on]")).to_have_count(1, timeout=10_000)


def _write(page: Page, stance: str, body: str) -> None:
    page.locator(f"#stance-{stance}").check()
    page.locator("#body").fill(body)


def test_two_residents_discuss_live_without_losing_what_they_type(
        browser: Browser, base_url: str, live_app: Any, shot: Any) -> None:
    _people(live_app)
    proposal_id = _proposal(live_app, "Trees along the high street")
    ann, bob = _phone(browser, base_url), _phone(browser, base_url)
    log_in(ann, ANN[0], PASSWORD)
    log_in(bob, BOB[0], PASSWORD)
    for page in (ann, bob):
        page.goto(f"/proposals/{proposal_id}")
        _watching(page)
    shot(ann, "empty-thread")

    # Bob is half-way through a comment when Ann's arrives.
    half = "I think the trees should be native species, because"
    bob.locator("#body").fill(half)
    bob.locator("#body").press("End")
    _write(ann, "for", "Shade in summer would make the **high street** pleasant again.")
    ann.get_by_role("button", name="Post your comment").click()
    expect(ann.get_by_role("status").first).to_contain_text("Your comment was posted")
    new = bob.locator("#comment-list .comment").filter(has_text="Shade in summer")
    expect(new).to_be_visible(timeout=10_000)
    expect(bob.locator("#body")).to_have_value(half)
    expect(bob.locator("[data-count=for]")).to_have_text("1")
    expect(bob.locator("#discussion-live")).to_contain_text("New comment from Ann Discusses")
    shot(bob, "live-comment-arrived")

    # Bob finishes and posts; Ann (who reloaded after posting) sees it live.
    _watching(ann)
    ann.locator("#body").fill("Half a second thought")
    bob.locator("#body").fill(half + " they support more wildlife.")
    bob.locator("#stance-question").check()
    bob.get_by_role("button", name="Post your comment").click()
    expect(bob.get_by_role("status").first).to_contain_text("Your comment was posted")
    expect(ann.locator("#comment-list")).to_contain_text("support more wildlife",
                                                         timeout=10_000)
    expect(ann.locator("#body")).to_have_value("Half a second thought")
    expect(ann.locator("[data-count=question]")).to_have_text("1")
    shot(ann, "both-comments")

    # Ann replies without JavaScript's help: the reply page is an ordinary form.
    _watching(bob)
    ann.locator(".comment").filter(has_text="support more wildlife") \
        .get_by_role("link", name=re.compile("^Reply")).click()
    shot(ann, "reply-form")
    ann.get_by_role("button", name="Post your reply").click()
    expect(ann.get_by_role("alert")).to_contain_text("Choose whether you are for")
    expect(ann.get_by_role("alert")).to_contain_text("Write your comment")
    shot(ann, "reply-error")
    _write(ann, "against", "Native species, yes, but not oaks: their roots lift paving.")
    ann.get_by_role("button", name="Post your reply").click()
    reply = bob.locator(".replies .comment").filter(has_text="not oaks")
    expect(reply).to_be_visible(timeout=10_000)
    expect(bob.locator("[data-count=against]")).to_have_text("1")
    shot(bob, "live-reply")
    ann.context.close()
    bob.context.close()


def test_no_sample_payload_executes_live_or_on_reload(page: Page, live_app: Any,
                                                      shot: Any) -> None:
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, discussion

    _people(live_app)
    proposal_id = _proposal(live_app, "Lights in the underpass")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script("window.__xss = 0; window.alert = function () { window.__xss++; };")
    page.goto(f"/proposals/{proposal_id}")
    _watching(page)
    sample = PAYLOADS[::5]  # every fifth: scripts, handlers, URLs, Markdown links
    with live_app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        # Several posters, so the posting limit does not get in the way.
        people = [accounts.find_by_email(f"xss{n}@e2e.example.org") or accounts.do_register(
            f"xss{n}@e2e.example.org", f"Tester {n}", PASSWORD) for n in range(4)]
        for n, payload in enumerate(sample):
            discussion.do_post(people[n % 4], proposal, discussion.PostData(
                "question", payload, f"xss-sample-{proposal_id}-{n:04d}"))
        db.session.remove()
    expect(page.locator("#comment-list > .comment")).to_have_count(len(sample), timeout=10_000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") == 0 and dialogs == []
    page.reload()
    expect(page.locator("#comment-list > .comment")).to_have_count(len(sample))
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") == 0 and dialogs == []
    shot(page, "payloads-as-text")


def test_the_public_moderation_log(page: Page, shot: Any) -> None:
    page.goto("/moderation")
    expect(page.get_by_role("heading", name="Moderation log")).to_be_visible()
    expect(page.locator(".moderation-log")).to_contain_text("personal attack")
    shot(page, "moderation-log")


def test_discussion_pages_in_welsh_dark_and_at_double_text_size(browser: Browser,
                                                                 base_url: str,
                                                                 live_app: Any) -> None:
    import sqlalchemy as sa

    from e2e.a11y import assert_accessible, text_reflows_at_double_size
    from pb.extensions import db
    from pb.models import Comment

    with live_app.app_context():
        proposal_id = db.session.scalar(sa.select(Comment.proposal_id).where(
            Comment.hidden_at.is_not(None)))
        db.session.remove()
    page = new_page(browser, base_url, "cy", "dark")
    for url in ("/moderation", f"/proposals/{proposal_id}",
                f"/discussion/proposals/{proposal_id}"):
        page.goto(url + "?lang=cy")
        assert_accessible(page, url)
        assert text_reflows_at_double_size(page), f"{url} scrolls sideways at 200% text"
    expect(page.locator(".hidden-note")).to_have_count(1)
    page.context.close()
