"""Paper ballots through the real forms: batches, both entries, resolving, counting."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Ballot, PaperBatch, PaperEntry
from tests.conftest import csrf_token, text
from tests.factories import enter_url, new_batch


def test_officers_enter_check_resolve_and_count_a_batch(client: Any, make_user: Any,
                                                        login: Any, ballot_round: Any) -> None:
    ann, bob = make_user("officer", name="Ann"), make_user("officer", name="Bob")
    round_, (p1, p2) = ballot_round()
    login(ann)
    index = text(client.get(f"/rounds/{round_.id}/paper"))
    assert 'id="number"' in index and 'value="1"' in index  # the suggested number
    response = new_batch(client, round_)
    assert response.headers["Location"].endswith(f"/rounds/{round_.id}/paper/1")
    page = text(client.get(f"/rounds/{round_.id}/paper/1"))
    assert "Ward 3 ballot box" in page and "First entry: enter ballot 1" in page

    form = text(client.get(enter_url(round_, 1, 1)))
    assert "Ballot 1 of 2 in batch 1" in form and f'name="points-{p1}"' in form
    assert "Spoilt or blank ballot" in form
    response = client.post(enter_url(round_, 1, 1), data={f"points-{p1}": "7"})
    assert response.headers["Location"].endswith(enter_url(round_, 1, 2))
    response = client.post(enter_url(round_, 1, 2), data={"spoilt": "y"})
    assert response.headers["Location"].endswith(f"/rounds/{round_.id}/paper/1")

    login(bob)
    client.post(enter_url(round_, 2, 1), data={f"points-{p1}": "1"})  # a typing slip
    client.post(enter_url(round_, 2, 2), data={"spoilt": "y"})
    batch = db.session.scalar(sa.select(PaperBatch))
    db.session.refresh(batch)
    assert batch.state == "mismatch"
    assert "Resolve 1 disagreement" in text(client.get(f"/rounds/{round_.id}/paper/1"))

    resolve = text(client.get(f"/rounds/{round_.id}/paper/1/resolve"))
    assert "First entry, by Ann" in resolve and "Check entry, by Bob" in resolve
    assert "score 7" in resolve and "score 1" in resolve
    response = client.post(f"/rounds/{round_.id}/paper/1/resolve",
                           data={"position": "1", "pick": "1"})
    assert response.status_code == 302
    assert "Resolved by Bob" in text(client.get(f"/rounds/{round_.id}/paper/1/resolve"))

    response = client.post(f"/rounds/{round_.id}/paper/1/count", follow_redirects=True)
    page = text(response)
    assert "Batch 1 is counted. Ballots added: 1. Spoilt or blank papers set aside: 1." in page
    ballots = list(db.session.scalars(sa.select(Ballot)))
    assert [(b.items, b.source) for b in ballots] == [({p1: 7}, "paper")]
    assert client.post(f"/rounds/{round_.id}/paper/1/count").status_code == 302  # again: no-op
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
    assert "Paper ballots counted" in text(client.get(f"/rounds/{round_.id}/paper"))


def test_a_bad_ballot_is_shown_again_with_the_message(client: Any, make_user: Any,
                                                      login: Any, ballot_round: Any) -> None:
    login(make_user("officer"))
    round_, (p1, p2) = ballot_round(ballot_method="approval", ballot_limit=1)
    new_batch(client, round_)
    response = client.post(enter_url(round_, 1, 1), data={"pick": [p1, p2]})
    assert response.status_code == 400
    page = text(response)
    assert "You have chosen 2 projects; choose at most 1." in page
    assert "tick “Spoilt or blank ballot”" in page
    assert len(re.findall(r'name="pick" value="\d+"[^>]* checked', page)) == 2  # kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperEntry)) == 0


def test_the_same_person_cannot_type_both_entries(client: Any, make_user: Any, login: Any,
                                                  ballot_round: Any) -> None:
    login(make_user("officer"))
    round_, (p1, _p2) = ballot_round()
    new_batch(client, round_, size=1)
    client.post(enter_url(round_, 1, 1), data={f"points-{p1}": "4"})
    page = text(client.get(enter_url(round_, 2, 1)))
    assert "someone else must enter this one" in page and f'name="points-{p1}"' not in page
    response = client.post(enter_url(round_, 2, 1), data={f"points-{p1}": "4"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperEntry)) == 1
    batch_page = text(client.get(f"/rounds/{round_.id}/paper/1"))
    assert "someone else must enter them" in batch_page


def test_batches_are_refused_before_voting(client: Any, make_user: Any, login: Any,
                                           make_round: Any) -> None:
    login(make_user("officer"))
    round_ = make_round("deliberation")
    assert "once voting has opened" in text(client.get(f"/rounds/{round_.id}/paper"))
    response = new_batch(client, round_)
    assert response.status_code == 400 and "once voting has opened" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperBatch)) == 0


def test_a_taken_number_keeps_what_was_typed(client: Any, make_user: Any, login: Any,
                                             ballot_round: Any) -> None:
    login(make_user("officer"))
    round_, _ = ballot_round()
    new_batch(client, round_)
    response = new_batch(client, round_, size=40)
    assert response.status_code == 400
    page = text(response)
    assert "Batch 1 already exists in this round; use the next free number, 2." in page
    assert 'value="40"' in page and 'value="Ward 3 ballot box"' in page


def test_residents_get_403_everywhere(client: Any, make_user: Any, login: Any,
                                      ballot_round: Any) -> None:
    round_, _ = ballot_round()
    login(make_user("officer"))
    new_batch(client, round_)
    login(make_user())
    base = f"/rounds/{round_.id}/paper"
    for url in (base, f"{base}/1", enter_url(round_, 1, 1), f"{base}/1/resolve"):
        assert client.get(url).status_code == 403
    for url in (base, enter_url(round_, 1, 1), f"{base}/1/resolve", f"{base}/1/count"):
        assert client.post(url, data={"number": "2", "size": "3"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperBatch)) == 1


def test_every_form_carries_its_csrf_token(app: Any, client: Any, make_user: Any, login: Any,
                                           ballot_round: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    login(make_user("officer"))
    bob = make_user("officer")
    round_, (p1, _p2) = ballot_round()
    index = f"/rounds/{round_.id}/paper"
    assert new_batch(client, round_).status_code == 400  # no token: refused
    token = csrf_token(client, index)
    response = client.post(index, data={"number": "1", "size": "1", "csrf_token": token})
    assert response.status_code == 302
    token = csrf_token(client, enter_url(round_, 1, 1))
    response = client.post(enter_url(round_, 1, 1), data={f"points-{p1}": "2",
                                                          "csrf_token": token})
    assert response.status_code == 302
    login(bob)
    token = csrf_token(client, enter_url(round_, 2, 1))
    client.post(enter_url(round_, 2, 1), data={f"points-{p1}": "3", "csrf_token": token})
    resolve = text(client.get(f"{index}/1/resolve"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', resolve.split("<main")[1])
    assert token, "no token in the resolve form"
    response = client.post(f"{index}/1/resolve", data={"position": "1", "pick": "2",
                                                      "csrf_token": token.group(1)})
    assert response.status_code == 302
    token = csrf_token(client, f"{index}/1")
    response = client.post(f"{index}/1/count", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Ballot.items)) == {p1: 3}


def test_neither_entry_matching_the_paper_is_resolved_by_typing_it(
        client: Any, make_user: Any, login: Any, ballot_round: Any) -> None:
    from pb.services.voting import paper

    ann, bob, cy = (make_user("officer") for _ in range(3))
    round_, (p1, p2) = ballot_round()
    batch = paper.do_create_batch(ann, round_, 4, "", 1)
    paper.do_enter(ann, round_, batch, 1, 1, {p1: "2"})
    paper.do_enter(bob, round_, batch, 2, 1, {p1: "3"})
    login(cy)
    url = f"/rounds/{round_.id}/paper/4/resolve/1"
    assert "Save as the ballot that counts" in text(client.get(url))
    response = client.post(url, data={f"points-{p1}": "11", f"points-{p2}": "6"})
    assert response.status_code == 400 and "Scores go from 1 to 10" in text(response)
    assert '<option value="6" selected>' in text(response)
    response = client.post(url, data={f"points-{p1}": "9"})
    assert response.headers["Location"].endswith(f"/rounds/{round_.id}/paper/4/resolve")
    client.post(f"/rounds/{round_.id}/paper/4/count")
    assert db.session.scalar(sa.select(Ballot.items)) == {p1: 9}
    assert client.get(f"/rounds/{round_.id}/paper/4/resolve/2").status_code == 404
