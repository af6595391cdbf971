"""Routes for the public register of recommendations: the page, CSV and JSON."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, request, url_for

from pb.services.council import councils as councils
from pb.services.council import register as council_register
from pb.web.council import bp
from pb.web.council.forms import RegisterFilterForm


def _filters() -> tuple[RegisterFilterForm, council_register.Filters]:
    """Read the filters from the query string; anything unknown means "all"."""
    form = RegisterFilterForm(request.args)
    form.offer(councils.list_councils(), council_register.years())
    valid = {name: {str(v) for v, _label in getattr(form, name).choices}
             for name in ("council", "status", "year")}
    chosen = {name: request.args.get(name, "") for name in valid}
    chosen = {name: value if value in valid[name] else "" for name, value in chosen.items()}
    for name, value in chosen.items():
        getattr(form, name).data = value
    return form, council_register.Filters(
        council=int(chosen["council"]) if chosen["council"] else None,
        status=chosen["status"] or None,
        year=int(chosen["year"]) if chosen["year"] else None)


def _query() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in ("council", "status", "year") and v}


@bp.route("/register")
def register() -> str:
    form, filters = _filters()
    found = council_register.rows(filters)
    return render_template("council/register.html", form=form, rows=found,
                           figures=council_register.figures(found), query=_query())


def _open_data() -> list[dict[str, Any]]:
    _form, filters = _filters()
    return [council_register.as_dict(row, url_for("council.recommendation", rec_id=row.rec.id,
                                                  _external=True))
            for row in council_register.rows(filters)]


@bp.route("/register.json")
def register_json() -> Response:
    response = Response(_json(_open_data()), mimetype="application/json")
    response.headers["Content-Disposition"] = "inline; filename=register.json"
    return response


def _json(items: list[dict[str, Any]]) -> str:
    return json.dumps({"recommendations": items}, ensure_ascii=False, indent=1)


@bp.route("/register.csv")
def register_csv() -> Response:
    response = Response(council_register.to_csv(_open_data()), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=register.csv"
    return response
