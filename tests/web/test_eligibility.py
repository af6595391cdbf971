"""Officers' eligibility pages: census uploads and the printable sheet of voting code cards."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app, url_for

from pb import create_app
from pb.domain.eligibility import keyed_hash, normalise_code
from pb.extensions import db
from pb.models import AccessCode
from pb.services import accounts, rounds
from pb.services.voting.census import census_size
from pb.services.voting.codes import code_stats
from pb.web.eligibility.routes import qr_svg
from tests.conftest import PASSWORD, Client, csrf_token, make_config, text
from tests.factories import session_id

CENSUS = b"identifier,postcode\nA1001,NE1 4ST\nA1002,NE6 2XJ\n"
SHOWN_CODE = re.compile(r'<p class="code-card-code">([A-Z0-9-]+)</p>')


def upload(client: Any, round_: Any, body: bytes = CENSUS, name: str = "census.csv",
           **fields: str) -> Any:
    return client.post(f"/rounds/{round_.id}/census",
                       data={"file": (io.BytesIO(body), name), "header": "y", **fields})


def stored_codes() -> set[str]:
    return set(db.session.scalars(sa.select(AccessCode.code_hash)))


@pytest.fixture()
def officer(make_user: Any, login: Any) -> Any:
    return login(make_user("officer"))


@pytest.fixture()
def census_round(make_round: Any, officer: Any) -> Any:
    return make_round("voting", officer=officer, eligibility="census", census_check="postcode")


@pytest.fixture()
def codes_round(make_round: Any, officer: Any) -> Any:
    return make_round("deliberation", officer=officer, eligibility="codes",
                      title="Northfield Youth Fund")


# Census ---------------------------------------------------------------------------------------

def test_officer_sees_the_census_form(client: Any, census_round: Any) -> None:
    response = client.get(f"/rounds/{census_round.id}/census")
    page = text(response)
    assert response.status_code == 200
    assert "The census lists 0 people." in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert re.search(r'<input checked id="header"', page)  # the header box starts ticked
    assert "identifier,postcode\nA1024,NE1 4ST" in page  # the expected shape, for this round


def test_uploading_a_census_adds_people(client: Any, census_round: Any) -> None:
    response = upload(client, census_round)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{census_round.id}/census")
    page = text(client.get(response.headers["Location"]))
    assert "2 people were added to the census. The census now lists 2 people." in page
    assert census_size(census_round) == 2

    again = upload(client, census_round, b"A1002,NE6 2XJ\nA1003,NE3 1AA\n", header="")
    assert again.status_code == 303
    page = text(client.get(again.headers["Location"]))
    assert "1 person was added to the census. 1 was already listed and was skipped." in page
    assert census_size(census_round) == 3


@pytest.mark.parametrize(("data", "words"), [
    ({}, "Choose the census file to upload"),
    ({"file": (io.BytesIO(CENSUS), "census.xlsx")}, "Upload a .csv file"),
    ({"file": (io.BytesIO(b"id,postcode\nA1,NE1 4ST\nA2\n"), "census.csv")},
     "Line 3 has 1 columns"),
    ({"file": (io.BytesIO(b"PK\x03\x04\x00\x00 spreadsheet"), "census.csv")},
     "This file is not a plain CSV file"),
])
def test_census_errors_are_explained_and_nothing_is_stored(client: Any, census_round: Any,
                                                            data: dict, words: str) -> None:
    response = client.post(f"/rounds/{census_round.id}/census", data={"header": "y", **data})
    page = text(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and words in page
    assert census_size(census_round) == 0


def test_a_census_file_over_the_limit_is_refused(client: Any, census_round: Any,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setattr("pb.services.voting.census.MAX_BYTES", 40)
    response = upload(client, census_round)
    assert response.status_code == 400
    assert "The file is larger than" in text(response)
    # Far over the limit, the request is cut off before any form is read.
    response = upload(client, census_round, b"A1,NE1 4ST\n" * 120_000)
    assert response.status_code == 413
    assert "The census file is larger than" in text(response)
    assert census_size(census_round) == 0


@pytest.fixture()
def csrf_app(migrated_db: Path, tmp_path: Path) -> Iterator[Any]:
    """An app with CSRF protection on, as in production, and a census round."""
    database = tmp_path / "csrf.sqlite3"
    shutil.copy(migrated_db, database)
    app = create_app(make_config(database, WTF_CSRF_ENABLED=True))
    app.test_client_class = Client
    with app.app_context():
        officer = accounts.do_register("csrf@example.org", "Officer", PASSWORD,
                                       extra_roles=("officer",))
        app.round = rounds.do_create_round(officer, rounds.RoundData(
            title="Big census", area="Town", budget_minor=1_000_000, currency="GBP",
            ballot_method="approval", tally_rule="greedy", eligibility="census",
            census_check="birth_year"))
        app.officer = officer
        app.resident = accounts.do_register("res@example.org", "Resident", PASSWORD)
        yield app
        db.session.remove()
        db.engine.dispose()


def big_census_post(app: Any, user: Any) -> Any:
    """Send a census file larger than the app's 1 MB request limit, with a valid CSRF token."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id(user)
    url = f"/rounds/{app.round.id}/census"
    body = "".join(f"RESIDENT-{n:08d},19{n % 90 + 10}\n" for n in range(60_000)).encode()
    assert len(body) > current_app.config["MAX_CONTENT_LENGTH"]
    token = csrf_token(client, "/rounds/")  # from the log-out form every page has
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(body), "census.csv")})


def test_census_files_bigger_than_forms_get_through_csrf(csrf_app: Any) -> None:
    """The app's 1 MB request limit suits forms; a census file may be larger."""
    response = big_census_post(csrf_app, csrf_app.officer)
    assert response.status_code == 303
    assert census_size(csrf_app.round) == 60_000


def test_only_officers_may_send_large_census_files(csrf_app: Any) -> None:
    assert big_census_post(csrf_app, csrf_app.resident).status_code == 413
    assert census_size(csrf_app.round) == 0


def test_the_census_is_closed_after_voting(client: Any, make_round: Any, officer: Any) -> None:
    round_ = make_round("results", officer=officer, eligibility="census",
                        census_check="postcode")
    page = text(client.get(f"/rounds/{round_.id}/census"))
    assert "can no longer change" in page and 'type="file"' not in page
    response = upload(client, round_)
    assert response.status_code == 400 and "can no longer change" in text(response)
    assert census_size(round_) == 0


# Voting codes ---------------------------------------------------------------------------------

def test_officer_sees_the_codes_form_and_counts(client: Any, codes_round: Any) -> None:
    page = text(client.get(f"/rounds/{codes_round.id}/codes"))
    assert 'name="count"' in page and 'name="batch"' in page
    assert re.search(r"<dt>Codes made</dt><dd>0</dd>", page)


def test_making_codes_shows_the_card_sheet_once(client: Any, codes_round: Any) -> None:
    response = client.post(f"/rounds/{codes_round.id}/codes",
                           data={"count": "14", "batch": "Year 9 letters"})
    page = text(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = SHOWN_CODE.findall(page)
    assert len(shown) == len(set(shown)) == 14
    assert page.count("<svg") == 14 and page.count('role="img"') == 14
    assert page.count('<section class="sheet-page"') == 2  # 12 cards to an A4 page
    # Every printed code is a stored one, and its QR code opens the code page with it.
    codes = [normalise_code(c) for c in shown]
    key = str(current_app.config["PB_VOTING_KEY"]).encode()
    assert stored_codes() == {keyed_hash(key, "code", c) for c in codes}
    for code, grouped in zip(codes, shown, strict=True):
        url = url_for("voting.code", round_id=codes_round.id, c=code, _external=True)
        assert str(qr_svg(url, f"QR code for voting code {grouped}")) in page
    assert "Northfield Youth Fund" in page and "Year 9 letters" in page
    assert "These codes cannot be shown again." in page
    assert "data-print" in page and "js/print." in page and "css/cards." in page
    # The strict Content-Security-Policy allows no inline scripts or styles.
    assert "style=" not in page and "onclick" not in page and "<script>" not in page


def test_the_codes_page_counts_batches_and_votes(client: Any, codes_round: Any) -> None:
    client.post(f"/rounds/{codes_round.id}/codes", data={"count": "3", "batch": "Library"})
    db.session.execute(sa.update(AccessCode).where(AccessCode.id == 1)
                       .values(used_at=sa.func.current_timestamp()))
    db.session.commit()
    page = text(client.get(f"/rounds/{codes_round.id}/codes"))
    assert re.search(r"<th scope=\"row\">Library</th><td>[^<]+</td>"
                     r"<td class=\"number\">3</td><td class=\"number\">1</td>", page)
    assert code_stats(codes_round)["used"] == 1


def test_the_same_codes_form_sent_twice_makes_one_batch(client: Any, codes_round: Any) -> None:
    url = f"/rounds/{codes_round.id}/codes"
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', text(client.get(url)))[1]
    assert client.post(url, data={"count": "2", "once": once}).status_code == 200
    again = client.post(url, data={"count": "2", "once": once})
    assert again.status_code == 400
    assert "These codes were made already" in text(again)
    assert len(stored_codes()) == 2


@pytest.mark.parametrize(("count", "words"), [
    ("", "Say how many codes to make."),
    ("0", "Make between 1 and 1000 codes at a time."),
    ("1001", "Make between 1 and 1000 codes at a time."),
])
def test_bad_numbers_of_codes_are_explained(client: Any, codes_round: Any, count: str,
                                            words: str) -> None:
    response = client.post(f"/rounds/{codes_round.id}/codes", data={"count": count})
    assert response.status_code == 400
    assert 'class="error-summary"' in text(response) and words in text(response)
    assert stored_codes() == set()


# Who may see these pages ---------------------------------------------------------------------

@pytest.mark.parametrize("page", ["census", "codes"])
def test_residents_are_turned_away(client: Any, make_user: Any, login: Any, make_round: Any,
                                   page: str) -> None:
    round_ = make_round("voting", eligibility=page, census_check="postcode")
    login(make_user())
    assert client.get(f"/rounds/{round_.id}/{page}").status_code == 403
    response = client.post(f"/rounds/{round_.id}/{page}",
                           data={"count": "5", "file": (io.BytesIO(CENSUS), "census.csv")})
    assert response.status_code == 403
    assert stored_codes() == set() and census_size(round_) == 0


@pytest.mark.parametrize("page", ["census", "codes"])
def test_visitors_are_sent_to_log_in(client: Any, make_round: Any, page: str) -> None:
    round_ = make_round("voting", eligibility=page, census_check="postcode")
    response = client.get(f"/rounds/{round_.id}/{page}")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(("page", "eligibility", "words"), [
    ("census", "codes", "This round does not use a census"),
    ("census", "accounts", "This round does not use a census"),
    ("codes", "census", "This round does not use voting codes"),
])
def test_pages_for_another_way_of_voting_explain_themselves(
        client: Any, officer: Any, make_round: Any, page: str, eligibility: str,
        words: str) -> None:
    round_ = make_round("proposals", officer=officer, eligibility=eligibility,
                        census_check="postcode")
    response = client.get(f"/rounds/{round_.id}/{page}")
    assert response.status_code == 404
    assert words in text(response)
    assert f'href="/rounds/{round_.id}"' in text(response)
    assert f'href="/rounds/{round_.id}/edit"' in text(response)  # still before voting

