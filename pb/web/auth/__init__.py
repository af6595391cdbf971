"""Accounts: register, log in and out (here or everywhere), forgotten passwords, two-factor
login (docs/two-factor.md).

This package is one blueprint: `bp`, defined here; its routes modules (`routes`, and
`two_factor` for the code after the password and enrolment) add to it, and
`pb.web.register_blueprints` imports them. It may import services, i18n, domain values and
`pb.web`'s shared helpers, never another feature's routes.
"""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")
