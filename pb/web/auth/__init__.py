"""Accounts: register, log in and out, forgotten passwords.

This package is one blueprint: `bp`, defined here; its routes modules add to it, and
`pb.web.register_blueprints` imports them. It may import services, i18n, domain values and
`pb.web`'s shared helpers, never another feature's routes.
"""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")
