"""Choosing a council by lot through the pages: open, volunteer, import, publish, draw, seat."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from babel.numbers import format_percent
from freezegun import freeze_time

from pb.domain.sortition import draw
from pb.extensions import db
from pb.models import CouncilMember, OutboxMessage, RecordEntry, Recruitment, Volunteer
from pb.services.council import councils
from pb.services.council import recruitment as rec
from pb.services.council import selection as sel
from tests.conftest import csrf_token, text

QUOTAS = """feature,category,min,max,population
Age,Under 40,2,3,0.45
Age,40 and over,2,3,0.55
Area,North,1,3,0.5
Area,South,1,3,0.5
"""
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
TERM_START = (NOW + timedelta(days=30)).date()


def _link(key: str) -> str:
    return f"http://pb.test/councils/volunteer/{key}"


def opened(officer: Any, panel_count: int = 100) -> Recruitment:
    council = councils.do_create_council(officer, councils.CouncilData("Town Council"))
    return rec.do_open(officer, council, rec.RecruitmentData(
        title="Town council 2027", seats=4, closes_at=NOW + timedelta(days=10),
        term_start=TERM_START, term_end=None,
        seed_source="Five numbers drawn from a bag at the council meeting.",
        quotas=QUOTAS, panel_count=panel_count))


def add_volunteers(recruitment: Recruitment, n: int) -> list[Volunteer]:
    people = []
    for i in range(n):
        v = rec.do_volunteer(recruitment, rec.VolunteerData(
            name=f"Volunteer Person{i}", email=f"v{i}@example.org",
            answers={"Age": "Under 40" if i % 2 else "40 and over",
                     "Area": "North" if i % 3 else "South"}), _link)
        rec.do_confirm(v)
        people.append(v)
    return people


def last_mail(to: str, subject_start: str) -> OutboxMessage:
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == to, OutboxMessage.subject.like(f"{subject_start}%"))
        .order_by(OutboxMessage.id.desc())).first()


def key_in(mail: OutboxMessage, path: str) -> str:
    found = re.search(rf"/councils/{path}/([\w-]+)", mail.body)
    assert found, mail.body
    return found.group(1)


@pytest.fixture()
def officer(make_user: Any) -> Any:
    return make_user("officer", name="Olu Officer")


# Opening a recruitment ------------------------------------------------------------------------

def test_an_officer_opens_a_recruitment_through_the_form(client: Any, officer: Any,
                                                         login: Any) -> None:
    council = councils.do_create_council(officer, councils.CouncilData("Town Council"))
    login(officer)
    page = text(client.get(f"/councils/{council.id}/recruitments/new"))
    assert "feature,category,min,max,population" in page and 'value="1000"' in page
    closes = (NOW + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "Town council 2027", "seats": "4", "closes_at": closes,
            "term_start": TERM_START.isoformat(), "term_end": "",
            "seed_source": "Numbers drawn from a bag at the council meeting.",
            "quotas": QUOTAS, "panel_count": "200"}
    bad = client.post(f"/councils/{council.id}/recruitments/new", data={**form, "seats": "3"})
    assert bad.status_code == 400
    assert "The minimums for “Age” add up to 4, more than the 3 seats" in text(bad)
    worse = client.post(f"/councils/{council.id}/recruitments/new",
                        data={**form, "quotas": "feature,category,min,max\nAge,A,3,2\nAge,B,1,2"})
    assert worse.status_code == 400 and "Row 2: the min (3) is more than the max (2)" in text(worse)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recruitment)) == 0
    done = client.post(f"/councils/{council.id}/recruitments/new", data=form)
    assert done.status_code == 302
    recruitment = db.session.scalars(sa.select(Recruitment)).one()
    assert done.headers["Location"].endswith(f"/councils/recruitments/{recruitment.id}")
    assert recruitment.closes_at == datetime.fromisoformat(closes).replace(tzinfo=UTC)
    assert recruitment.panel_count == 200 and recruitment.seats == 4
    page = text(client.get(done.headers["Location"]))
    assert "Volunteering is open until" in page and "UTC" in page
    assert f'href="/councils/recruitments/{recruitment.id}/volunteer"' in page
    council_page = text(client.get(f"/councils/{council.id}"))
    assert "How members are chosen" in council_page and "Town council 2027" in council_page
    assert "Recruit members by lot" in council_page


@pytest.mark.parametrize("role", [None, "resident"])
def test_only_officers_run_a_recruitment(client: Any, officer: Any, make_user: Any,
                                         login: Any, role: str | None) -> None:
    recruitment = opened(officer)
    add_volunteers(recruitment, 1)
    if role:
        login(make_user())
    rid = recruitment.id
    for url in (f"/councils/{recruitment.council_id}/recruitments/new",):
        response = client.get(url)
        assert response.status_code == (403 if role else 302)
    for url, data in ((f"/councils/recruitments/{rid}/close", {}),
                      (f"/councils/recruitments/{rid}/import",
                       {"text": "name,email,age,area\nA,a@x.org,Under 40,North\n"}),
                      (f"/councils/recruitments/{rid}/publish", {}),
                      (f"/councils/recruitments/{rid}/seed", {"seed": "1 2 3 4"}),
                      (f"/councils/recruitments/{rid}/volunteers/1/left", {})):
        response = client.post(url, data=data)
        assert response.status_code == (403 if role else 302), url
        if not role:
            assert "/account/login" in response.headers["Location"]
    assert recruitment.is_open(datetime.now(UTC)) and len(recruitment.volunteers) == 1
    page = text(client.get(f"/councils/recruitments/{rid}"))
    assert "For officers" not in page and "Close volunteering now" not in page


def test_the_public_sees_counts_and_officers_see_names(client: Any, officer: Any,
                                                       login: Any) -> None:
    recruitment = opened(officer)
    people = add_volunteers(recruitment, 3)
    rec.do_volunteer(recruitment, rec.VolunteerData(
        "Unconfirmed Una", "una@example.org", {"Age": "Under 40", "Area": "North"}), _link)
    url = f"/councils/recruitments/{recruitment.id}"
    public = text(client.get(url))
    assert "3 volunteers have confirmed their email." in public
    # Under 40: volunteer 1 only; 40 and over: 0 and 2; North: 1 and 2; South: 0.
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>\d+ to \d+</td><td>(\d+)</td>', public)
    assert rows == [("Under 40", "1"), ("40 and over", "2"), ("North", "2"), ("South", "1")]
    for name, email in [*((v.name, v.email) for v in people), ("Una", "una@example.org")]:
        assert name not in public and email not in public
    login(officer)
    private = text(client.get(url))
    for v in people:
        assert v.name in private and v.email in private and str(v.number) in private
    assert "Unconfirmed Una" in private and "Email not confirmed" in private


# Volunteering -------------------------------------------------------------------------------

def volunteer_form(n: str = "Nia Jones", email: str = "nia@example.org", **extra: str
                   ) -> dict[str, str]:
    return {"name": n, "email": email, "phone": "", "feature_0": "Under 40",
            "feature_1": "South", "consent": "y", **extra}


def test_volunteering_through_the_form(client: Any, officer: Any) -> None:
    recruitment = opened(officer)
    url = f"/councils/recruitments/{recruitment.id}/volunteer"
    page = text(client.get(url))
    assert "Choose…" in page and "40 and over" in page and "only counts" in page
    done = client.post(url, data=volunteer_form())
    assert done.status_code == 302
    volunteer = db.session.scalars(sa.select(Volunteer)).one()
    assert volunteer.categories == {"Age": "Under 40", "Area": "South"}
    assert volunteer.confirmed_at is None
    thanks = text(client.get(done.headers["Location"]))
    assert str(volunteer.number) in thanks and "Check your email" in thanks
    assert last_mail("nia@example.org", "Confirm your offer") is not None
    again = client.post(url, data=volunteer_form(n="Nia Again", email=" NIA@example.org"))
    assert again.status_code == 400 and "already registered" in text(again)
    unticked = client.post(url, data=volunteer_form(email="x@example.org", consent=""))
    assert unticked.status_code == 400 and "Tick the box" in text(unticked)
    odd = client.post(url, data=volunteer_form(email="y@example.org", feature_0="Teen"))
    assert odd.status_code == 400 and "“Teen” is not a category of “Age”" in text(odd)
    unanswered = client.post(url, data=volunteer_form(email="z@example.org", feature_1=""))
    assert unanswered.status_code == 400 and "Choose your answer for “Area”" in text(unanswered)
    with freeze_time(NOW + timedelta(days=11)):
        late = client.post(url, data=volunteer_form(email="late@example.org"))
    assert late.status_code == 400 and "Volunteering for this council has closed" in text(late)
    assert len(recruitment.volunteers) == 1


def test_offers_to_serve_are_rate_limited(app: Any, client: Any, officer: Any) -> None:
    app.config["PB_VOLUNTEER_LIMIT"] = "2 per hour"
    recruitment = opened(officer)
    url = f"/councils/recruitments/{recruitment.id}/volunteer"
    assert client.post(url, data=volunteer_form(email="a@example.org")).status_code == 302
    assert client.post(url, data=volunteer_form(email="b@example.org")).status_code == 302
    assert client.post(url, data=volunteer_form(email="c@example.org")).status_code == 429
    assert len(recruitment.volunteers) == 2


def test_the_volunteer_page_confirms_and_withdraws_by_post(app: Any, client: Any,
                                                          officer: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = True      # as in production
    recruitment = opened(officer)
    form_url = f"/councils/recruitments/{recruitment.id}/volunteer"
    done = client.post(form_url, data={**volunteer_form(),
                                       "csrf_token": csrf_token(client, form_url)})
    assert done.status_code == 302
    key = key_in(last_mail("nia@example.org", "Confirm your offer"), "volunteer")
    volunteer = rec.volunteer_by_key(key)
    url = f"/councils/volunteer/{key}"
    page = text(client.get(url))
    assert str(volunteer.number) in page and "Email not confirmed yet" in page
    assert "Age: Under 40" in page
    assert volunteer.confirmed_at is None    # opening the page changes nothing
    assert client.post(f"{url}/confirm").status_code == 400   # no CSRF token
    assert volunteer.confirmed_at is None
    confirmed = client.post(f"{url}/confirm", data={"csrf_token": csrf_token(client, url)})
    assert confirmed.status_code == 302 and volunteer.confirmed_at is not None
    assert "you are in the pool" in text(client.get(url))
    withdrawn = client.post(f"{url}/withdraw", data={"csrf_token": csrf_token(client, url)},
                            follow_redirects=True)
    assert "You have withdrawn" in text(withdrawn) and volunteer.withdrawn_at is not None
    assert client.get("/councils/volunteer/no-such-key-at-all").status_code == 404
    assert client.get(f"/councils/invitation/{key}").status_code == 404   # not drawn


# Officers' steps ----------------------------------------------------------------------------

def test_importing_volunteers_through_the_page(client: Any, officer: Any, login: Any) -> None:
    recruitment = opened(officer)
    add_volunteers(recruitment, 1)
    login(officer)
    url = f"/councils/recruitments/{recruitment.id}/import"
    body = ("Name,Email,Age,Area,Phone\nAmy Import,amy@x.org,under 40,north,0123\n"
            "Ben Import,ben@x.org,40 and over,South,\nDup,v0@example.org,Under 40,North,\n")
    done = client.post(url, data={"file": (io.BytesIO(body.encode()), "replies.csv")},
                       follow_redirects=True)
    page = text(done)
    assert "2 volunteers were added." in page and "1 row was skipped" in page
    assert "Row 4: v0@example.org is already registered." in page
    assert "Amy Import" in page and "(imported)" in page
    assert len(rec.pool(recruitment)) == 3
    bad = client.post(url, data={"text": "name,email,Age\nCy,c@x.org,Under 40\n"})
    assert bad.status_code == 400 and "The file has no column for Area" in text(bad)
    empty = client.post(url, data={"text": ""})
    assert empty.status_code == 400 and "Choose a CSV file" in text(empty)
    assert len(recruitment.volunteers) == 3


def test_quotas_no_panel_can_meet_are_explained_and_nothing_is_published(
        client: Any, officer: Any, login: Any) -> None:
    recruitment = opened(officer)
    for i in range(6):
        v = rec.do_volunteer(recruitment, rec.VolunteerData(
            f"P{i}", f"p{i}@example.org", {"Age": "40 and over",
                                           "Area": "North" if i % 2 else "South"}), _link)
        rec.do_confirm(v)
    login(officer)
    rid = recruitment.id
    early = client.post(f"/councils/recruitments/{rid}/publish")
    assert early.status_code == 400 and "still open" in text(early)
    closed = client.post(f"/councils/recruitments/{rid}/close", follow_redirects=True)
    assert "Volunteering has closed" in text(closed)
    response = client.post(f"/councils/recruitments/{rid}/publish")
    page = text(response)
    assert response.status_code == 400 and "Nothing was published" in page
    assert "Age “Under 40”: the minimum of 2 cannot be met; 0 would work." in page
    assert recruitment.published_at is None
    assert client.get(f"/councils/recruitments/{rid}/files/pool.csv").status_code == 404
    assert client.get(f"/councils/recruitments/{rid}/files/selection.json").status_code == 404


def test_publish_draw_invite_and_replace_through_the_pages(client: Any, officer: Any,
                                                           make_user: Any, login: Any) -> None:
    recruitment = opened(officer)
    people = add_volunteers(recruitment, 10)
    url = f"/councils/recruitments/{recruitment.id}"
    login(officer)
    assert client.post(f"{url}/close").status_code == 302
    published = client.post(f"{url}/publish", follow_redirects=True)
    assert published.status_code == 200 and "The selection was published" in text(published)
    assert recruitment.published_at is not None
    chances = sel.chances(recruitment)
    # The pool is fixed now: a volunteer's own page refuses to withdraw them.
    key = key_in(last_mail(people[0].email, "Confirm your offer"), "volunteer")
    refused = text(client.post(f"/councils/volunteer/{key}/withdraw", follow_redirects=True))
    assert "the pool can no longer change" in refused and people[0].withdrawn_at is None
    page = text(client.get(url))
    assert "Smallest chance" in page and "Enter the seed" in page
    assert '<svg class="chances"' in page and "<title id=\"chances-title\">" in page
    assert "pb sortition verify" in page
    # The files are the ones the decision record names.
    entry = db.session.scalars(sa.select(RecordEntry)
                               .where(RecordEntry.kind == sel.PUBLISHED)).one()
    hashes = json.loads(entry.body)["files"]
    assert set(hashes) == set(draw.FILES)
    for name in draw.FILES:
        response = client.get(f"{url}/files/{name}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert draw.sha256(response.get_data(as_text=True)) == hashes[name]
        assert hashes[name] in page
    assert client.get(f"{url}/files/secrets.csv").status_code == 404
    # Anyone finds their chance by number.
    someone = people[3]
    found = text(client.get(f"{url}?number={someone.number}"))
    share = format_percent(chances[someone.number], "#,##0.00%", locale="en_GB")
    assert f"Volunteer {someone.number} has a {share} chance of selection." in found
    assert "is not in the published pool" in text(client.get(f"{url}?number=12"))
    # Two officers enter the seed; a mismatch draws nothing.
    second = make_user("officer")
    first = client.post(f"{url}/seed", data={"seed": "12 7 33"}, follow_redirects=True)
    assert "Seed recorded; a second officer must now enter it." in text(first)
    again = client.post(f"{url}/seed", data={"seed": "12 7 33"})
    assert again.status_code == 400 and "You have entered the seed already" in text(again)
    login(second)
    # The first entry stays unseen: neither the page nor the public files show it.
    seen = text(client.get(url))
    assert "Enter the seed" in seen and 'value="12 7 33' not in seen
    assert "12 7 33" not in seen.replace("“12 7 33 41 5”", "")   # the hint's example
    assert "12 7 33" not in text(client.get(f"{url}/files/selection.json"))
    differs = client.post(f"{url}/seed", data={"seed": "12 7 34"}, follow_redirects=True)
    assert "The two entries differ, so nothing was drawn" in text(differs)
    assert recruitment.drawn_at is None
    assert "Seed recorded" in text(client.post(f"{url}/seed", data={"seed": "12, 7, 33"},
                                               follow_redirects=True))
    login(officer)
    drawn = text(client.post(f"{url}/seed", data={"seed": " 12 7 33 "}, follow_redirects=True))
    assert recruitment.panel_number is not None
    assert f"Drawn: panel {recruitment.panel_number}." in drawn
    assert f"Panel {recruitment.panel_number} of 100" in drawn
    manifest = json.loads(client.get(f"{url}/files/selection.json").get_data(as_text=True))
    assert manifest == json.loads(json.dumps(sel.manifest(recruitment)))
    assert manifest["seed"] == "12 7 33"
    assert manifest["sha256"] == hashes
    invited = sorted((v for v in people if v.invitation == "invited"), key=lambda v: v.number)
    assert sorted(v.number for v in invited) == manifest["panel"]
    # A drawn volunteer accepts through their invitation page.
    chosen = invited[0]
    key = key_in(last_mail(chosen.email, "You have been drawn"), "invitation")
    page = text(client.get(f"/councils/invitation/{key}"))
    assert f"as volunteer {chosen.number}" in page and "Accept" in page
    accepted = text(client.post(f"/councils/invitation/{key}/answer",
                                data={"answer": "accept"}, follow_redirects=True))
    assert "You are a member of Town Council" in accepted
    member = db.session.get(CouncilMember, chosen.member_id)
    assert member is not None and member.term_start == TERM_START
    assert member.user.email == chosen.email
    assert last_mail(chosen.email, "Welcome to Town Council") is not None
    # The officer records that they dropped out; a replacement is invited.
    left = text(client.post(f"{url}/volunteers/{chosen.number}/left", follow_redirects=True))
    replacement = db.session.scalars(sa.select(Volunteer).where(
        Volunteer.replaces_number == chosen.number)).one()
    assert f"Volunteer {chosen.number} has left. {replacement.name} (volunteer " \
           f"{replacement.number}) is invited in their place." in left
    assert replacement.invitation == "invited" and chosen.invitation == "left"
    client.post("/account/logout")
    public = text(client.get(url))
    assert f"(replacement of {chosen.number})" in public
    assert chosen.name not in public and replacement.name not in public
    # The council page shows the panel against the quotas and the fairness figures.
    council_page = text(client.get(f"/councils/{recruitment.council_id}"))
    assert "The panel against the quotas" in council_page
    seated = {(row.category, row.seated) for row in sel.composition(recruitment)}
    assert sum(n for _c, n in seated) == 8   # two features, four seats each
    cells = set(re.findall(r'<th scope="row">([^<]+)</th><td>\d+ to \d+</td><td>(\d+)</td>',
                           council_page))
    assert cells == {(c, str(n)) for c, n in seated}
    assert format_percent(recruitment.smallest, "#,##0.00%", locale="en_GB") in council_page
    # The decision record names the new kinds in words.
    records = text(client.get("/records/"))
    assert "Selection by lot published" in records and "Council panel drawn by lot" in records
    assert f"Volunteer {chosen.number} left the council." in records
