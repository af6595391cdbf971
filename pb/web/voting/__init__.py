"""Casting a ballot: who is voting, the ballot page, review, receipt, the JSON API.

This package is one blueprint: `bp`, defined here; its routes modules add to it, and
`pb.web.register_blueprints` imports them. It may import services, i18n, domain values and
`pb.web`'s shared helpers, never another feature's routes.
"""

from flask import Blueprint

bp = Blueprint("voting", __name__, url_prefix="/rounds")
