"""Exports people can open (issue #16): every CSV starts with a byte-order mark so Excel reads
"£" and "’", and carries what its page shows, the recommendations' rationale included."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pb.services import outcomes, pabulib_io
from pb.services.council import councils
from tests.conftest import text
from tests.factories import make_setup, plain_user
from tests.shared_data import shared_data

BOM = b"\xef\xbb\xbf"
RATIONALE = "Shade costs £40 a tree; the playground’s users asked for it."


@pytest.fixture()
def s(make_user: Any) -> Any:
    setup = make_setup(make_user)
    councils.do_add_recommendation(setup.member, setup.referral, "Plant 40 trees", RATIONALE)
    councils.do_publish_advice(setup.member, setup.referral)
    return setup


def _rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(BOM), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(body[len(BOM):].decode("utf-8"))))


def test_the_register_csv_opens_in_excel_with_the_rationale(client: Any, s: Any) -> None:
    response = client.get(f"/councils/register.csv?council={s.council.id}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    [row] = _rows(response.data)
    assert row["recommendation"] == "Plant 40 trees" and row["rationale"] == RATIONALE


def test_the_register_json_carries_the_rationale(client: Any, s: Any) -> None:
    data = client.get(f"/councils/register.json?council={s.council.id}").get_json()
    assert data["recommendations"][0]["rationale"] == RATIONALE


def test_the_published_advice_page_shows_the_rationale(client: Any, s: Any) -> None:
    page = text(client.get(f"/councils/referrals/{s.referral.id}"))
    assert "The council’s advice" in page and RATIONALE in page


def test_the_results_csv_opens_in_excel_with_the_final_decision(client: Any, app: Any) -> None:
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    assen = pabulib_io.do_import(source, None)
    outcomes.do_certify(plain_user("officer"), assen)
    rows = _rows(client.get(f"/rounds/{assen.id}/results.csv").data)
    assert rows and {"explanation", "funded_after_departures"} <= set(rows[0])
    funded = [r for r in rows if r["status"] == "funded"]
    assert funded and all(r["funded_after_departures"] == "true" for r in funded)
