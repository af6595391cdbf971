"""Notification pages: the list and the header's count, settings, Follow buttons and the
one-click unsubscribe link (docs/accounts.md, "Notifications")."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Follow, Notification
from pb.services import notifications
from pb.services.notifications import emails
from tests.conftest import PASSWORD, csrf_token, text
from tests.factories import make_proposal


def tell(user: Any, round_name: str = "Riverside 2027") -> Notification:
    (made,) = notifications.notify([user], "results", {"round": round_name, "round_id": 1},
                                   "/rounds/1")
    return made


def badge(page: str) -> str | None:
    found = re.search(r'class="count-badge">(\d+)', page)
    return found.group(1) if found else None


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(
        client: Any, make_user: Any, login: Any) -> None:
    resident = login(make_user())
    assert badge(text(client.get("/notifications/"))) is None  # no count when zero
    note = tell(resident)
    tell(resident, "Schools' Choice")
    page = text(client.get("/notifications/"))
    assert badge(page) == "2" and "The results of Riverside 2027 are out." in page
    assert "/notifications/settings" in page
    opened = client.get(f"/notifications/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/rounds/1")
    assert badge(text(client.get("/notifications/"))) == "1"
    client.post("/notifications/read")
    assert badge(text(client.get("/notifications/"))) is None


def test_someone_elses_notification_is_not_found(client: Any, make_user: Any,
                                                 login: Any) -> None:
    note = tell(make_user())
    login(make_user())
    assert client.get(f"/notifications/{note.id}").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_settings_are_linked_from_the_account_page_and_saved(client: Any, make_user: Any,
                                                             login: Any) -> None:
    resident = login(make_user())
    assert "/notifications/settings" in text(client.get("/account/"))
    form = {kind: "immediately" for kind in ("phase", "closing", "results", "reply",
                                             "referral", "response")}
    saved = client.post("/notifications/settings", data={**form, "review": "daily"},
                        query_string={"lang": "cy"})
    assert saved.status_code == 302
    assert notifications.preferences(resident)["review"] == "daily"
    assert resident.locale == "cy"  # emails in the language the site is used in


def test_a_made_up_choice_is_refused_and_nothing_is_saved(client: Any, make_user: Any,
                                                          login: Any) -> None:
    resident = login(make_user())
    answer = client.post("/notifications/settings", data={"review": "hourly"})
    assert answer.status_code == 400 and "There is a problem" in text(answer)
    assert notifications.preferences(resident)["review"] == "immediately"


def test_follow_and_unfollow_a_proposal_with_the_button(app: Any, client: Any, make_user: Any,
                                                        make_round: Any, login: Any) -> None:
    proposal = make_proposal(make_round)
    resident = login(make_user())
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert 'data-following="false"' in page and ">Follow<" in page
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(f"/proposals/{proposal.id}/follow", data={"follow": "1"})
    assert not notifications.is_following(resident, proposal=proposal)  # no CSRF token
    assert refused.status_code in (302, 400)
    token = csrf_token(client, f"/proposals/{proposal.id}")
    client.post(f"/proposals/{proposal.id}/follow", data={"follow": "1", "csrf_token": token})
    assert notifications.is_following(resident, proposal=proposal)
    assert 'data-following="true"' in text(client.get(f"/proposals/{proposal.id}"))
    client.post(f"/proposals/{proposal.id}/follow", data={"follow": "0", "csrf_token": token})
    assert not notifications.is_following(resident, proposal=proposal)
    assert db.session.scalar(sa.select(Follow.active).where(Follow.user_id == resident.id)) \
        is False  # the unfollow is remembered


def test_follow_a_round_from_its_page(client: Any, make_user: Any, make_round: Any,
                                      login: Any) -> None:
    round_ = make_round("proposals")
    resident = login(make_user())
    assert 'data-following="false"' in text(client.get(f"/rounds/{round_.id}"))
    assert client.post(f"/rounds/{round_.id}/follow").status_code == 302
    assert notifications.is_following(resident, round_=round_)


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(app: Any, client: Any,
                                                               make_user: Any) -> None:
    person = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    url = emails.unsubscribe_path(person.id, "review")
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in text(page) and person.email in \
        text(page)
    assert notifications.preferences(person)["review"] == "immediately"  # GET only asks
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more emails" in text(done)
    assert notifications.preferences(person)["review"] == "never"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_is_explained_and_changes_nothing(
        client: Any, make_user: Any, method: str) -> None:
    person = make_user()
    good = emails.make_token(person.id, "review")
    other = emails.make_token(person.id + 1, "review")
    forged = good.split(".")[0] + "." + other.split(".")[1]
    answer = getattr(client, method)(f"/unsubscribe/{forged}")
    assert answer.status_code == 400 and "not valid" in text(answer)
    assert notifications.preferences(person)["review"] == "immediately"


def test_emails_follow_the_language_of_the_last_login(client: Any, make_user: Any) -> None:
    person = make_user(email="cai@example.org")
    assert person.locale is None
    client.post("/account/login?lang=cy", data={"email": "cai@example.org",
                                                 "password": PASSWORD})
    db.session.refresh(person)
    assert person.locale == "cy"
