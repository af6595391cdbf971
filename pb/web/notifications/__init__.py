"""Notifications: the list and its unread count in the header, the settings page, Follow
buttons on rounds and proposals, and one-click unsubscribe from an email (docs/accounts.md).

The blueprint `bp` is defined here; `routes` adds to it. It may import services, i18n, domain
values and `pb.web`'s shared helpers, never another feature's routes.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
