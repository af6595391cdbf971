"""Routes for places: a round's proposals on a map, and an officer setting a proposal's place."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.domain.errors import UserError
from pb.services import proposals
from pb.web.access import viewer
from pb.web.proposals import bp
from pb.web.proposals.forms import version_of
from pb.web.proposals.place_form import PlaceForm
from pb.web.proposals.routes import _proposal_or_404, _round_or_404, _seed, listing_query


@bp.route("/rounds/<int:round_id>/proposals/map")
def map_view(round_id: int) -> str:
    """Show the round's proposals that have a place: pins on a map, a list without one."""
    round_ = _round_or_404(round_id)
    query, filters = listing_query(request.args)
    result = proposals.listing(round_, viewer(), query, _seed())
    return render_template("proposals/map.html", round=round_, listing=result,
                           filters=filters)


@bp.route("/proposals/<int:proposal_id>/place", methods=["GET", "POST"])
@login_required
def place(proposal_id: int) -> Any:
    """Let an officer set or correct where a proposal would happen, at any stage."""
    if not current_user.manages_rounds:
        abort(403)
    proposal = _proposal_or_404(proposal_id)
    form = PlaceForm()
    if not form.is_submitted():
        form.fill_place(proposal)
        form.version.data = str(proposal.version)
    if form.validate_on_submit():
        latitude, longitude = form.point()
        try:
            proposals.do_set_place(current_user, proposal, latitude, longitude,
                                   form.place.data or "", expected_version=version_of(form))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The place was saved."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    status = 400 if form.all_errors else 200
    return render_template("proposals/place.html", form=form, proposal=proposal,
                           round=proposal.round), status
