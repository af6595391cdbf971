"""Rounds imported from pabulib files count exactly as pabutools did, from the database."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain.pabulib import read_pabulib
from pb.domain.tally import META_RULES
from pb.extensions import db
from pb.models import Ballot, Proposal, TallyRun
from pb.services import ServiceError, counting, pabulib_io, rounds
from tests.shared_data import shared_data

DATA = shared_data()
FILES = sorted(p.name for p in (DATA / "pabulib").glob("*.pb"))


@cache
def reference() -> dict[tuple[str, str], list[str]]:
    entries = json.loads((DATA / "reference.json").read_text())["entries"]
    return {(e["file"], e["rule"]): sorted(e["selected"]) for e in entries}


def text_of(name: str) -> str:
    return (DATA / "pabulib" / name).read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", [f for f in FILES if "Lodz" not in f])
def test_imported_rounds_count_like_pabutools(app: Any, name: str) -> None:
    election = read_pabulib(text_of(name))
    # Files whose META rule is "unknown" are counted only with a rule the importer names.
    rule = None if election.meta.get("rule") in META_RULES else "greedy"
    round_ = pabulib_io.do_import(text_of(name), None, name=name, rule=rule)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.round_id == round_.id)) == len(election.votes)
    count = counting.do_count(round_)
    expected = reference().get((name, round_.tally_rule))
    if expected is not None:  # rules pabutools has a reference for
        assert sorted(count.outcome["selected"]) == expected
    assert set(count.outcome["projects"]) == set(election.projects)


def test_the_biggest_file_imports_and_counts(app: Any) -> None:
    name = "Poland_Lodz_2022.pb"
    round_ = pabulib_io.do_import(text_of(name), None, name=name)
    assert round_.tally_rule == "greedy-threshold" and round_.language == "pl"
    election = read_pabulib(text_of(name))
    official = sorted(p.id for p in election.projects.values()
                      if p.fields.get("selected") == "1")
    assert sorted(counting.do_count(round_).outcome["selected"]) == official


def test_a_count_is_stored_once_and_redone_when_ballots_change(app: Any) -> None:
    round_ = pabulib_io.do_import(text_of("Netherlands_Assen_2024.pb"), None)
    first = counting.do_count(round_).run
    assert counting.do_count(round_).run.id == first.id
    db.session.add(Ballot(round_id=round_.id, voter_key="late", items=[]))
    db.session.commit()
    assert counting.do_count(round_).run.id != first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun)) == 2


def test_export_anonymises_shuffles_and_keeps_every_ballot(app: Any) -> None:
    name = "Poland_Wieliczka_2023_Green_Budget.pb"
    round_ = pabulib_io.do_import(text_of(name), None)
    exported = read_pabulib(pabulib_io.export(round_))
    original = read_pabulib(text_of(name))
    assert [v.voter_id for v in exported.votes] == [str(i) for i in
                                                     range(1, len(original.votes) + 1)]
    assert Counter(frozenset(v.projects) for v in exported.votes) == \
        Counter(frozenset(v.projects) for v in original.votes)
    assert [v.projects for v in exported.votes] != [v.projects for v in original.votes]
    assert exported.meta["num_votes"] == str(len(original.votes))
    assert exported.meta["rule"] == original.meta["rule"]
    assert pabulib_io.export(round_) == pabulib_io.export(round_)  # stable download


def test_points_ballots_round_trip(app: Any) -> None:
    name = "poland_czestochowa_2020_grabowka.pb"
    round_ = pabulib_io.do_import(text_of(name), None)
    assert round_.currency == "PLN"  # from the country: the file names no currency
    exported = read_pabulib(pabulib_io.export(round_))
    original = read_pabulib(text_of(name))
    as_points = lambda e: Counter(tuple(sorted(zip(v.projects, v.points, strict=True)))  # noqa: E731
                                  for v in e.votes)
    assert as_points(exported) == as_points(original)


@pytest.mark.parametrize(("text", "words"), [
    ("META\nkey;value\nbudget;100\n", "not a valid pabulib file"),
    ("nonsense", "not a valid pabulib file"),
])
def test_bad_files_are_refused_and_nothing_is_saved(app: Any, text: str, words: str) -> None:
    with pytest.raises(ServiceError, match=words):
        pabulib_io.do_import(text, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_entering_the_results_phase_counts_the_round(app: Any, make_round: Any,
                                                     make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("voting", officer=officer)
    proposal = Proposal(round_id=round_.id, title="Benches", summary="", cost_minor=100_00,
                        status="feasible")
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Ballot(round_id=round_.id, voter_key="user:1", items=[str(proposal.id)]))
    db.session.commit()
    rounds.do_change_phase(officer, round_, "results")
    run = db.session.scalar(sa.select(TallyRun).where(TallyRun.round_id == round_.id))
    assert run is not None and run.outcome["selected"] == [str(proposal.id)]


def test_the_streamed_digest_is_the_digest_of_the_whole_list(app: Any) -> None:
    # Counts stored before ballots were streamed keep matching: same SHA-256, byte for byte.
    round_ = pabulib_io.do_import(text_of("poland_czestochowa_2020_grabowka.pb"), None)
    proposals = counting.ballot_proposals(round_)
    costs = [(str(p.id), p.cost_minor) for p in proposals]
    stream = counting._DigestingStream(round_, costs)
    counting._STREAM_CHUNK, saved = 7, counting._STREAM_CHUNK  # several chunks
    try:
        streamed = list(stream)
    finally:
        counting._STREAM_CHUNK = saved
    assert streamed == counting.ballot_items(round_) and stream.count == len(streamed) > 7
    assert stream.hexdigest() == counting._digest(round_, costs, streamed)
    run = counting.do_count(round_).run
    assert run.digest == stream.hexdigest() and run.ballots == len(streamed)
