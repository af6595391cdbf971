"""Certify a round's count, depart from it with reasons, and report on what it funded.

Each of these is a public decision: it is written to the decision record in the same
unit of work, so the decision and its entry in the hash chain exist together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from pb.domain import outcomes as rules
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import (
    Certification,
    Departure,
    ImplementationUpdate,
    Proposal,
    Round,
    TallyRun,
    User,
)
from pb.services import (
    ServiceError,
    counting,
    on_commit,
    records,
    security_log,
    unit_of_work,
    voting,
)


@dataclass
class Decided:
    """A round's official outcome: the certified count and any departures from it."""

    certification: Certification | None
    departures: list[Departure]
    funded: list[str]  # project ids (as in counts) funded once departures are applied


def _require_manager(actor: User) -> None:
    if not actor.manages_rounds:
        raise ServiceError(N_("Only officers of the decision body can do this; ask an admin "
                              "for the officer role."))


def decided(round_: Round, count: counting.Count) -> Decided:
    """Return the certification, departures and funded projects of a counted round."""
    certification = db.session.scalar(sa.select(Certification).where(
        Certification.round_id == round_.id))
    departures = list(db.session.scalars(sa.select(Departure).where(
        Departure.round_id == round_.id).order_by(Departure.id)))
    by_id = {p.id: pid for pid, p in count.proposals.items()}
    funded = rules.funded_after(count.outcome["selected"],
                                [(d.action, by_id.get(d.proposal_id, "")) for d in departures])
    return Decided(certification, departures, funded)


def check_certify(actor: User, round_: Round) -> None:
    """Refuse to certify unless an officer asks, the round is counted and not yet certified."""
    _require_manager(actor)
    if not counting.counted(round_):
        raise ServiceError(N_("Results can be certified once the round is in the results "
                              "phase."))
    if db.session.scalar(sa.select(Certification.id).where(
            Certification.round_id == round_.id)):
        raise ServiceError(N_("These results are already certified. Record any change as a "
                              "departure from the vote, with its reasons."))


@records.retrying
def do_certify(actor: User, round_: Round, seen: str | None = None) -> Certification:
    """Declare the stored count the round's official result, in the decision record.

    `seen` is the digest of the count the officer checked (`TallyRun.digest`); if the ballots,
    costs or rule changed since, nothing is certified.
    """
    check_certify(actor, round_)
    count = counting.do_count(round_)  # stored in its own transaction, whatever follows
    if seen is not None and seen != count.run.digest:
        raise ServiceError(N_("The count changed after you checked it: ballots, costs or the "
                              "rule are different now. Check it again: nothing was certified."))
    try:
        with unit_of_work():
            return _certify(actor, round_, count)
    except sa.exc.IntegrityError as error:
        if "certifications" not in str(error):
            raise  # a lost race for the record: `retrying` runs the use case again
        raise ServiceError(N_("These results were certified a moment ago by someone else."))\
            from None


def _certify(actor: User, round_: Round, count: counting.Count) -> Certification:
    run: TallyRun = count.run
    receipts = "".join(f"{fp}\n" for fp in voting.receipt_fingerprints(round_))
    entry = records.append("results.certified", f"round:{round_.id}", {
        "round": {"id": round_.id, "title": round_.title, "language": round_.language,
                  "translations": translations_of(round_, ("title",))},
        "titles": {pid: {"title": p.title, "language": p.language,
                         "translations": translations_of(p, ("title",))}
                   for pid, p in count.proposals.items()
                   if pid in count.outcome["selected"]},
        "rule": run.rule,
        "ballots": run.ballots, "input_sha256": run.digest,
        "outcome_sha256": hashlib.sha256(json.dumps(
            count.outcome, sort_keys=True, separators=(",", ":")).encode()).hexdigest(),
        "receipts_sha256": hashlib.sha256(receipts.encode()).hexdigest(),
        "selected": count.outcome["selected"], "budget": count.outcome["budget"],
        "budget_used": count.outcome["budget_used"], "currency": round_.currency,
        "by": actor.display_name}, actor)
    certification = Certification(round_id=round_.id, tally_run_id=run.id, by_id=actor.id,
                                  record_seq=entry.seq)
    db.session.add(certification)
    on_commit(security_log.event, "results.certified", actor.id, round=round_.id,
              record=entry.seq)
    return certification


@records.retrying
def do_depart(actor: User, round_: Round, proposal: Proposal, action: str,
              reason: str) -> Departure:
    """Fund or drop a project against the certified count, publishing the reason."""
    _require_manager(actor)
    count = counting.do_count(round_)
    with unit_of_work():
        state = decided(round_, count)
        if state.certification is None:
            raise ServiceError(N_("Certify the counted results first; a departure is recorded "
                                  "against the certified outcome."))
        pid = counting.project_id(proposal)
        if proposal.round_id != round_.id or pid not in count.proposals:
            raise ServiceError(N_("Choose a project that was on this round's ballot."),
                               field="project")
        rules.check_departure(action, pid, state.funded, reason)
        entry = records.append("results.departure", f"proposal:{proposal.id}", {
            "round": _titled(round_.id, round_), "project": _titled(pid, proposal),
            "action": action,
            "reason": reason.strip(), "by": actor.display_name}, actor)
        departure = Departure(round_id=round_.id, proposal_id=proposal.id, action=action,
                              reason=reason.strip(), by_id=actor.id, record_seq=entry.seq)
        db.session.add(departure)
        on_commit(security_log.event, "results.departure", actor.id, round=round_.id,
                  proposal=proposal.id, action=action, record=entry.seq)
    return departure


@records.retrying
def do_update(actor: User, round_: Round, proposal: Proposal, status: str,
              spent_minor: int | None, note: str) -> ImplementationUpdate:
    """Post progress on a funded project: status, spend to date and a public note."""
    _require_manager(actor)
    count = counting.do_count(round_)
    with unit_of_work():
        state = decided(round_, count)
        if state.certification is None:
            raise ServiceError(N_("Certify the counted results first; progress is reported on "
                                  "the projects they fund."))
        if proposal.round_id != round_.id or counting.project_id(proposal) not in state.funded:
            raise ServiceError(N_("Only funded projects have progress to report."),
                               field="project")
        rules.check_update(status, spent_minor, note)
        entry = records.append("implementation.update", f"proposal:{proposal.id}", {
            "round": _titled(round_.id, round_),
            "project": _titled(counting.project_id(proposal), proposal), "status": status,
            "spent": spent_minor, "currency": round_.currency,
            "note": note.strip(), "by": actor.display_name}, actor)
        update = ImplementationUpdate(proposal_id=proposal.id, status=status,
                                      spent_minor=spent_minor, note=note.strip(),
                                      by_id=actor.id, record_seq=entry.seq)
        db.session.add(update)
    return update


def _titled(key: int | str, row: Round | Proposal) -> dict[str, object]:
    """Return how the record names a round or project: id, title, and the title's language
    and translations (the record hashes both languages)."""
    return {"id": key, "title": row.title, "language": row.language,
            "translations": translations_of(row, ("title",))}


def translations_of(row: Round | Proposal, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Return a row's `names` in languages other than its own, as exports and the record
    carry them: {"cy": {"title": "..."}} (only languages that have some)."""
    found = {}
    for lang, texts in (row.translations or {}).items():
        kept = {name: texts[name] for name in names if texts.get(name)}
        if kept:
            found[lang] = kept
    return found


def updates(proposal_ids: list[int]) -> dict[int, list[ImplementationUpdate]]:
    """Return the implementation updates of the given proposals, oldest first."""
    found: dict[int, list[ImplementationUpdate]] = {pid: [] for pid in proposal_ids}
    for update in db.session.scalars(sa.select(ImplementationUpdate).where(
            ImplementationUpdate.proposal_id.in_(proposal_ids))
            .order_by(ImplementationUpdate.id)):
        found[update.proposal_id].append(update)
    return found


def progress(round_: Round) -> list[tuple[Proposal, list[ImplementationUpdate]]] | None:
    """Return each funded project with its updates (oldest first), or None before certifying."""
    if not counting.results_public(round_):
        return None
    try:
        count = counting.do_count(round_)
    except ServiceError:
        return None
    state = decided(round_, count)
    if state.certification is None:
        return None
    funded = [count.proposals[pid] for pid in state.funded if pid in count.proposals]
    found = updates([p.id for p in funded])
    return [(p, found[p.id]) for p in funded]
