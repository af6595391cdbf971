"""The decision record in the database: appends, tampering caught, races, the CLI verifier."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import RecordEntry, Response
from pb.services import records
from pb.services.council.responses import ResponseData, do_respond
from tests.factories import REASONS, counts, make_setup, publish


@pytest.fixture()
def logged(make_user: Any) -> Any:
    """A record of five entries: advice, three responses and an amendment."""
    s = make_setup(make_user)
    a, b, c = publish(s)
    do_respond(s.officer, a, ResponseData("accepted"))
    do_respond(s.officer, b, ResponseData("not_accepted", REASONS))
    do_respond(s.officer, c, ResponseData("partly", REASONS))
    do_respond(s.officer, c, ResponseData("accepted"), amend=True)
    assert records.verify().count == 5
    return s


def sql(statement: str, **params: Any) -> None:
    """Change the table behind the app's back, as someone with database access could."""
    db.session.execute(sa.text(statement), params)
    db.session.commit()
    db.session.expire_all()


def test_the_generic_append_is_ready_for_results_and_implementation(make_user: Any) -> None:
    officer = make_user("officer", name="Olu Officer")

    @records.retrying
    def certify() -> RecordEntry:
        entry = records.append("results.certified", "round:7",
                               {"round": 7, "selected": [3, 1], "budget": "£150,000"}, officer)
        db.session.commit()
        return entry

    first = certify()
    second = records.append("implementation.update", "proposal:3",
                            {"status": "in_progress", "spent_minor": 1200}, officer)
    db.session.commit()
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    assert records.body_of(first) == {"budget": "£150,000", "round": 7, "selected": [3, 1]}
    assert first.actor_id == officer.id and first.council_id is None
    assert records.verify().ok and records.verify().head == second.hash
    exported = records.export()["entries"]
    assert exported[0]["body"]["selected"] == [3, 1] and exported[1]["prev"] == first.hash


@pytest.mark.parametrize(("statement", "seq", "words"), [
    ("UPDATE record_entries SET body = replace(body, 'not_accepted', 'accepted') "
     "WHERE seq = 3", 3, "changed after it was written"),
    ("UPDATE record_entries SET kind = 'response.amended' WHERE seq = 2", 2, "changed"),
    ("UPDATE record_entries SET at_text = '2020-01-01T00:00:00.000000Z' WHERE seq = 4", 4,
     "changed"),
    ("DELETE FROM record_entries WHERE seq = 2", 2, "missing"),
    ("UPDATE record_entries SET seq = -seq WHERE seq IN (2, 3)", 2, "Entry 2"),
])
def test_tampering_in_the_database_is_caught_and_named(logged: Any, statement: str, seq: int,
                                                       words: str) -> None:
    sql(statement)
    problem = records.verify().problem
    assert problem is not None and problem.seq == seq and words in problem.reason


def test_reordering_rows_is_caught(logged: Any) -> None:
    # Swap the contents of rows 2 and 3 (keeping their numbers): the chain breaks at 2.
    rows = {r.seq: (r.kind, r.subject, r.body, r.prev_hash, r.hash, r.at_text)
            for r in db.session.scalars(sa.select(RecordEntry))}
    sql("UPDATE record_entries SET seq = seq + 100 WHERE seq IN (2, 3)")
    for seq, source in ((2, 3), (3, 2)):
        kind, subject, body, _prev, hash_, at_text = rows[source]
        sql("UPDATE record_entries SET seq = :seq, kind = :kind, subject = :subject, "
            "body = :body, hash = :hash, at_text = :at_text WHERE seq = :old",
            seq=seq, kind=kind, subject=subject, body=body, hash=hash_, at_text=at_text,
            old=source + 100)
    problem = records.verify().problem
    assert problem is not None and problem.seq == 2


def test_a_rewritten_entry_with_a_fresh_hash_is_caught_at_the_next(logged: Any) -> None:
    from pb.domain.records import entry_hash

    row = records.get(3)
    body = records.body_of(row)
    body["outcome"] = "accepted"
    forged = entry_hash(3, row.at_text, row.kind, row.subject, body, row.prev_hash)
    from pb.domain.records import canonical

    sql("UPDATE record_entries SET body = :body, hash = :hash WHERE seq = 3",
        body=canonical(body).decode(), hash=forged)
    problem = records.verify().problem
    assert problem.seq == 4 and "does not point to the entry before it" in problem.reason


def test_the_database_refuses_a_fork(logged: Any) -> None:
    head = records.get(5)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(RecordEntry(seq=5, at_text=head.at_text, at=head.at, kind="x",
                                   subject="y", body="{}", prev_hash="1" * 64, hash="2" * 64))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(RecordEntry(seq=6, at_text=head.at_text, at=head.at, kind="x",
                                   subject="y", body="{}", prev_hash=head.prev_hash,
                                   hash="3" * 64))
        db.session.flush()
    db.session.rollback()


def test_a_response_that_loses_the_race_is_retried_without_a_fork(logged: Any,
                                                                 monkeypatch: Any) -> None:
    s = logged
    b = s.referral.recommendations[1]
    real_head = records._head
    stale = real_head()
    calls = []

    def head_seen_before_another_append() -> tuple[int, str]:
        calls.append(1)
        # The first attempt sees the chain as it was before entry 5: as if another officer
        # appended between our read and our write.
        return (stale[0] - 1, records.get(4).hash) if len(calls) == 1 else real_head()

    monkeypatch.setattr(records, "_head", head_seen_before_another_append)
    before = counts()
    do_respond(s.officer, b, ResponseData("partly", REASONS), amend=True)
    assert len(calls) == 2
    after = counts()
    assert after["Response"] == before["Response"] + 1
    assert after["RecordEntry"] == before["RecordEntry"] + 1
    assert records.verify().ok and records.verify().count == 6


def test_a_race_lost_three_times_gives_a_clear_message_and_saves_nothing(
        logged: Any, monkeypatch: Any) -> None:
    s = logged
    b = s.referral.recommendations[1]
    monkeypatch.setattr(records, "_head", lambda: (3, records.get(3).hash))
    before = counts()
    with pytest.raises(records.RecordConflict, match="at the same moment"):
        do_respond(s.officer, b, ResponseData("partly", REASONS), amend=True)
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 4


def test_the_cli_verifies_and_names_the_first_bad_entry(logged: Any, app: Any) -> None:
    runner = app.test_cli_runner()
    good = runner.invoke(args=["verify-records"])
    assert good.exit_code == 0 and "intact: 5 entries" in good.output
    sql("UPDATE record_entries SET body = replace(body, 'Olu', 'Ola') WHERE seq = 4")
    bad = runner.invoke(args=["verify-records"])
    assert bad.exit_code == 1
    assert "Entry 4 was changed after it was written" in bad.output
    assert "3 entries before it match" in bad.output


def test_the_readme_recipe_verifies_the_download(logged: Any) -> None:
    import hashlib
    import json

    data = json.loads(json.dumps(records.export()))
    prev = "0" * 64
    for e in data["entries"]:
        content = {k: e[k] for k in ("seq", "at", "kind", "subject", "body", "prev")}
        digest = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False).encode()).hexdigest()
        assert e["prev"] == prev and digest == e["hash"]
        prev = e["hash"]
