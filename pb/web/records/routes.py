"""Routes for the decision record: the public log, its verification, JSON and Atom feeds."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, render_template, request, url_for

from pb.domain.values import parse_id
from pb.i18n import translate_error
from pb.services import records
from pb.services.council import councils as councils
from pb.web.records import bp

PAGE = 50
FEED_SIZE = 50


@bp.route("/")
def index() -> str:
    # Not a record's number (text, "²", past MAX_ID): show the newest page.
    before = parse_id(request.args.get("before"))
    verdict = records.verify()
    page = records.entries(limit=PAGE, before=before)
    older = page[-1].seq if page and page[-1].seq > 1 else None
    problem = translate_error(verdict.problem) if verdict.problem else None
    return render_template("records/index.html", verdict=verdict, problem=problem,
                           entries=page, older=older, before=before)


@bp.route("/<int:seq>")
def entry(seq: int) -> str:
    row = records.get(seq) or abort(404)
    body = json.dumps(records.body_of(row), ensure_ascii=False, indent=2, sort_keys=True)
    return render_template("records/entry.html", entry=row, body=body)


@bp.route("/records.json")
def download() -> Response:
    response = Response(json.dumps(records.export(), ensure_ascii=False, indent=1),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = "inline; filename=decision-records.json"
    return response


@bp.route("/feed.atom")
def feed() -> Response:
    asked = request.args.get("council", "").strip()
    council_id = parse_id(asked)
    council = councils.get_council(council_id) if council_id is not None else None
    if asked and council is None:  # no such council (or not a number that could name one)
        abort(404)
    entries = records.entries(council_id=council_id, limit=FEED_SIZE)
    xml = render_template("records/feed.xml", entries=entries, council=council,
                          self_url=url_for("records.feed", council=council_id, _external=True),
                          bodies={e.seq: _summary(records.body_of(e)) for e in entries})
    return Response(xml, mimetype="application/atom+xml")


def _summary(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True)


# What each kind of subject ("recommendation:9") is, as the page that shows it.
SUBJECT_PAGES = {
    "referral": ("council.referral", "referral_id"),
    "recommendation": ("council.recommendation", "rec_id"),
    "round": ("results.show", "round_id"),
    "proposal": ("proposals.show", "proposal_id"),
    "recruitment": ("council.recruitment", "rid"),
}


@bp.app_template_global("subject_url")
def subject_url(subject: str) -> str | None:
    """Return the page a record entry is about ("recommendation:9" → its page), if known."""
    kind, _sep, number = subject.partition(":")
    page = SUBJECT_PAGES.get(kind)
    found = parse_id(number)
    if page is None or found is None:
        return None
    return url_for(page[0], **{page[1]: found})


@bp.app_template_filter("fromjson")
def fromjson(text: str) -> Any:
    """Parse a record entry's canonical JSON body for a template."""
    return json.loads(text)
