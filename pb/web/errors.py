"""Error pages that say what happened and what to do next, in the visitor's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from pb.services import database_unavailable, discard, security_log

log = logging.getLogger(__name__)

PAGES = {
    400: (_l("Something in that request was not right"),
          _l("The page could not understand what was sent. Go back, check what you entered "
             "and try again.")),
    403: (_l("You do not have access to this page"),
          _l("Log in with an account that has the right role, or ask an admin for access.")),
    404: (_l("Page not found"),
          _l("Check the address, or start again from the list of budget rounds.")),
    405: (_l("That action is not possible here"),
          _l("Use the buttons and links on the page rather than typing the address.")),
    413: (_l("That was too large to send"),
          _l("Make the text or file smaller and try again.")),
    429: (_l("Too many attempts"),
          _l("For your security, please wait a minute before trying again.")),
    503: (_l("We cannot reach our database for a moment"),
          _l("Nothing you sent was saved half-way. Please try again in a minute.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. Try again in a moment; if it keeps happening, "
             "tell the people running this site.")),
}
RETRY_AFTER = 60  # seconds, for a request that met the database restarting
HOST_MESSAGE = _l("This site answers only at its own address. Check the address you typed, or "
                  "follow a link from the site itself.")
CSRF_MESSAGE = _l("The form had expired or came from another site. Go back, reload the page "
                  "and send it again; nothing was saved.")


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the friendly page for `code`."""
    if code == 403:  # a refused attempt is a security event (ASVS 16.3.2)
        security_log.event("access.refused", _account(), endpoint=request.endpoint,
                           method=request.method)
    title, advice = PAGES.get(code, PAGES[500])
    try:
        return render_template("errors/error.html", code=code, title=title, advice=advice,
                               detail=detail), code
    except Exception:  # the layout itself failed (e.g. the database is down): plain page
        log.exception("Could not render the %s page", code)
        return (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{code}</title>"
                f"<h1>{escape(str(title))}</h1><p>{escape(str(advice))}</p></html>"), code


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(SecurityError)
    def host_refused(error: SecurityError) -> tuple[str, int]:
        # A Host (or trusted X-Forwarded-Host) outside TRUSTED_HOSTS (see PB_BASE_URL): the
        # page is drawn without asking the request for its host again.
        security_log.event("host.refused", host=request.environ.get("HTTP_HOST", "")[:100],
                           address=request.remote_addr)
        return (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>400</title>"
                f"<h1>{escape(str(PAGES[400][0]))}</h1><p>{escape(str(HOST_MESSAGE))}</p>"
                "</html>"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        if code not in PAGES:
            return error  # type: ignore[return-value]  (redirects and the like)
        if code >= 500:
            _roll_back()
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return http_error(error)
        if database_unavailable(error):  # a restart or a network fault: try again shortly
            log.warning("Database unavailable on %s %s: %s", request.method, request.path,
                        error)
            _roll_back()
            return (*render_error(503), {"Retry-After": str(RETRY_AFTER)})
        log.exception("Unhandled error on %s %s", request.method, request.path)
        _roll_back()
        return render_error(InternalServerError.code)


def _account() -> int | None:
    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # the database is down: the event is still worth logging
        return None


def _roll_back() -> None:
    # A failed statement leaves the session unusable until rolled back, and the page's layout
    # loads the visitor's account: without this the 500 page fails too.
    try:
        discard()
    except Exception:  # the database itself is down: render_error falls back to plain text
        log.exception("Could not roll back after an error")
