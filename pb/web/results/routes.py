"""Routes for a round's results and its open-data downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template
from flask_login import current_user

from pb.domain.errors import UserError
from pb.domain.rounds import TALLY_KINDS
from pb.i18n import translate_error
from pb.models import Round
from pb.services import counting, pabulib_io, rounds
from pb.web.results import explain

bp = Blueprint("results", __name__, url_prefix="/rounds")


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"money_major": explain.money, "support_label": explain.support}


def _round(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, current_user if current_user.is_authenticated else None)
    if round_ is None:
        abort(404)
    return round_


def _count_or_404(round_: Round) -> counting.Count:
    if not counting.results_public(round_):
        abort(404)
    try:
        return counting.do_count(round_)
    except UserError:
        abort(404)


@bp.route("/<int:round_id>/results")
def show(round_id: int) -> Any:
    round_ = _round(round_id)
    if not counting.results_public(round_):
        return render_template("results/not_yet.html", round=round_)
    try:
        count = counting.do_count(round_)
    except UserError as error:
        return render_template("results/not_yet.html", round=round_,
                               problem=translate_error(error))
    outcome = count.outcome
    points = TALLY_KINDS[round_.ballot_method] != "approval"
    titles = {pid: p.title for pid, p in count.proposals.items()}
    rows = []
    for pid, e in outcome["projects"].items():
        rows.append({"id": pid, "proposal": count.proposals.get(pid), "e": e,
                     "funded": e.get("status") == "funded",
                     "cost": explain.exact(e.get("cost")),
                     "support": explain.exact(e.get("support")),
                     "why": explain.sentence(e, outcome["rule"], round_.currency, points,
                                             titles)})
    rows.sort(key=lambda r: (not r["funded"], -r["support"], r["id"]))
    most = max((r["support"] for r in rows), default=0) or 1
    return render_template("results/show.html", round=round_, count=count, rows=rows,
                           most=most, points=points,
                           used=explain.exact(outcome["budget_used"]),
                           budget=explain.exact(outcome["budget"]),
                           funded=sum(r["funded"] for r in rows))


@bp.route("/<int:round_id>/results.json")
def as_json(round_id: int) -> Response:
    round_ = _round(round_id)
    count = _count_or_404(round_)
    return jsonify({"round": {"id": round_.id, "title": round_.title, "area": round_.area,
                              "currency": round_.currency, "ballot_method":
                                  round_.ballot_method},
                    "counted_at": count.run.computed_at.isoformat(),
                    "ballots": count.run.ballots, "input_sha256": count.run.digest,
                    **count.outcome})


@bp.route("/<int:round_id>/results.csv")
def as_csv(round_id: int) -> Response:
    round_ = _round(round_id)
    count = _count_or_404(round_)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["project_id", "title", "cost", "support", "status", "reason",
                     "explanation"])
    for pid, e in count.outcome["projects"].items():
        proposal = count.proposals.get(pid)
        writer.writerow([pid, proposal.title if proposal else "", e.get("cost"),
                         e.get("support"), e.get("status"), e.get("reason"),
                         e.get("sentence")])
    return _download(out.getvalue(), "text/csv", f"round-{round_.id}-results.csv")


@bp.route("/<int:round_id>/ballots.pb")
def as_pabulib(round_id: int) -> Response:
    round_ = _round(round_id)
    _count_or_404(round_)
    return _download(pabulib_io.export(round_), "text/plain",
                     f"round-{round_.id}.pb")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
