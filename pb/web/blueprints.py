"""Every feature's blueprint, with its routes loaded, for the app factory to mount."""

from __future__ import annotations

from flask import Flask

from pb.broadcast import events
from pb.web import (
    admin,
    auth,
    council,
    discussion,
    eligibility,
    live,
    main,
    notifications,
    paper,
    pictures,
    proposals,
    records,
    results,
    rounds,
    voting,
)
from pb.web.admin import pages as _admin_pages  # noqa: F401
from pb.web.admin import routes as _admin  # noqa: F401  (each routes module adds to its bp)
from pb.web.auth import account as _auth_account  # noqa: F401
from pb.web.auth import routes as _auth  # noqa: F401
from pb.web.auth import two_factor as _auth_two_factor  # noqa: F401
from pb.web.council import lottery as _council_lottery  # noqa: F401
from pb.web.council import register as _council_register  # noqa: F401
from pb.web.council import routes as _council  # noqa: F401
from pb.web.discussion import routes as _discussion  # noqa: F401
from pb.web.discussion.thread import comment_fragments
from pb.web.eligibility import routes as _eligibility  # noqa: F401
from pb.web.live import phone as _live_phone  # noqa: F401
from pb.web.live import routes as _live  # noqa: F401
from pb.web.main import pages as _main_pages  # noqa: F401
from pb.web.main import routes as _main  # noqa: F401
from pb.web.notifications import routes as _notifications  # noqa: F401
from pb.web.paper import routes as _paper  # noqa: F401
from pb.web.pictures import routes as _pictures  # noqa: F401
from pb.web.proposals import places as _proposal_places  # noqa: F401
from pb.web.proposals import routes as _proposals  # noqa: F401
from pb.web.records import routes as _records  # noqa: F401
from pb.web.results import routes as _results  # noqa: F401
from pb.web.rounds import routes as _rounds  # noqa: F401
from pb.web.voting import routes as _voting  # noqa: F401

FEATURES = (main, auth, rounds, proposals, results, admin, council, records, discussion,
            voting, eligibility, paper, live, pictures, notifications)


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint, in the order their URLs are matched."""
    for feature in FEATURES:
        app.register_blueprint(feature.bp)
    events.render_fragments_with("comment", comment_fragments)
