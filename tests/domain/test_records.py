"""The hash chain: canonical JSON, entry hashes, and verification that names the first bad entry."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.domain import records
from pb.domain.records import GENESIS, Entry, canonical, entry_hash, make_entry, verify

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def chain(n: int) -> list[Entry]:
    entries: list[Entry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = make_entry(seq, T0 + timedelta(minutes=seq), "response.published",
                           f"recommendation:{seq}", {"outcome": "accepted", "n": seq,
                                                     "by": "Olu Ọfọ̀", "reasons": "Tŷ"}, prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_canonical_json_sorts_keys_has_no_spaces_and_keeps_unicode() -> None:
    assert canonical({"b": 1, "a": [1, "ŵ"]}) == '{"a":[1,"ŵ"],"b":1}'.encode()


def test_an_entry_hash_is_sha256_over_the_canonical_entry() -> None:
    entry = make_entry(1, T0, "advice.published", "referral:1", {"x": 1}, GENESIS)
    content = {"seq": 1, "at": "2026-05-01T09:00:00.000000Z", "kind": "advice.published",
               "subject": "referral:1", "body": {"x": 1}, "prev": GENESIS}
    assert entry.at == "2026-05-01T09:00:00.000000Z"
    assert entry.hash == hashlib.sha256(json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    assert entry.hash == entry_hash(1, entry.at, entry.kind, entry.subject, {"x": 1}, GENESIS)


def test_an_intact_chain_verifies() -> None:
    entries = chain(5)
    verdict = verify(entries)
    assert verdict.ok and verdict.count == 5 and verdict.head == entries[-1].hash
    assert verify([]).ok and verify([]).head == GENESIS


@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize("field", ["at", "kind", "subject", "body"])
def test_altering_any_field_of_any_entry_is_caught_at_that_entry(position: int,
                                                                 field: str) -> None:
    entries = chain(5)
    value = '{"n":999,"outcome":"not_accepted"}' if field == "body" else "altered"
    entries[position] = dataclasses.replace(entries[position], **{field: value})
    problem = verify(entries).problem
    assert problem is not None and problem.seq == position + 1
    assert f"Entry {position + 1}" in problem.reason


def test_rewriting_an_entry_and_its_hash_is_caught_at_the_next_entry() -> None:
    entries = chain(4)
    forged = make_entry(2, T0, "response.published", "recommendation:2",
                        {"outcome": "accepted"}, entries[0].hash)
    entries[1] = forged
    verdict = verify(entries)
    assert verdict.problem.seq == 3 and "does not point to the entry before it" in \
        verdict.problem.reason
    assert verdict.count == 2


@pytest.mark.parametrize("position", [0, 2, 3])
def test_deleting_any_entry_but_the_last_is_caught(position: int) -> None:
    entries = chain(5)
    del entries[position]
    problem = verify(entries).problem
    assert problem is not None and problem.seq == position + 1
    assert "missing" in problem.reason


def test_deleting_the_last_entry_leaves_a_shorter_valid_chain_with_another_head() -> None:
    entries = chain(3)
    verdict = verify(entries[:-1])
    # Only an anchor kept elsewhere (a feed reader, a printed hash) reveals truncation.
    assert verdict.ok and verdict.head != verify(entries).head


def test_reordering_entries_is_caught() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    problem = verify(entries).problem
    assert problem.seq == 2 and "out of order" not in problem.reason and "missing" in \
        problem.reason
    renumbered = chain(5)
    a, b = renumbered[1], renumbered[2]
    renumbered[1] = dataclasses.replace(b, seq=2)
    renumbered[2] = dataclasses.replace(a, seq=3)
    assert verify(renumbered).problem.seq == 2


def test_a_body_that_is_not_canonical_or_not_json_is_caught() -> None:
    entries = chain(2)
    spaced = dataclasses.replace(entries[1], body=json.dumps(json.loads(entries[1].body)))
    assert "not canonical" in verify([entries[0], spaced]).problem.reason
    broken = dataclasses.replace(entries[1], body="{not json")
    assert "not valid JSON" in verify([entries[0], broken]).problem.reason


def test_a_duplicated_entry_is_caught() -> None:
    entries = chain(3)
    problem = verify([entries[0], entries[0], *entries[1:]]).problem
    assert problem.seq == 2 and "out of order" in problem.reason


def test_problems_carry_a_translatable_template() -> None:
    entries = chain(2)
    entries[0] = dataclasses.replace(entries[0], kind="x")
    problem = verify(entries).problem
    assert problem.template % problem.params == problem.reason
    assert "%(seq)d" in problem.template


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children,
                                                                      max_size=3),
    max_leaves=10)


@given(bodies=st.lists(json_values, min_size=1, max_size=6), data=st.data())
def test_any_chain_verifies_and_any_changed_body_is_caught(bodies: list, data: st.DataObject
                                                           ) -> None:
    entries, prev = [], GENESIS
    for seq, body in enumerate(bodies, start=1):
        entry = make_entry(seq, T0, "k", "s", body, prev)
        entries.append(entry)
        prev = entry.hash
    assert verify(entries).ok
    i = data.draw(st.integers(0, len(entries) - 1))
    new_body = data.draw(json_values.filter(lambda b: canonical(b) != canonical(bodies[i])))
    entries[i] = dataclasses.replace(entries[i], body=canonical(new_body).decode())
    assert verify(entries).problem.seq == i + 1


def test_the_module_has_no_web_or_database_imports() -> None:
    assert "flask" not in records.__dict__ and "sqlalchemy" not in records.__dict__
