"""Who is asking, once for every page: the current user (or None) and the role checks.

Each check is a decorator that sends visitors to the login page and people without the role
to the 403 page. The roles themselves are the domain's (`pb.domain.roles`), read through the
user model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from pb.extensions import current_viewer
from pb.models import User

viewer = current_viewer
"""Return the logged-in user, or None for a visitor."""


def requires(allowed: Callable[[User], bool]) -> Callable[[Any], Any]:
    """Make a decorator that lets only logged-in people for whom `allowed(user)` through."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


managers_only = requires(lambda user: user.manages_rounds)
"""Officers and admins: rounds, proposals' review, eligibility, paper ballots, councils."""

runners_only = requires(lambda user: user.runs_live)
"""Facilitators, officers and admins: live sessions."""
