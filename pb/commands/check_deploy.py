"""`pb check-deploy`: read the settings a server would start with and say, in sentences,
every one that is risky for a public site. It builds no app, so it also explains settings
that would stop the app from starting."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click

from pb import config as settings


def risks(environ: Mapping[str, str], *, processes: int, behind_proxy: bool,
          root: Path = settings.ROOT) -> list[str]:
    """Return a sentence for every risky setting in `environ` (nothing when all is well)."""
    # Outside production a missing SECRET_KEY would be generated into the instance folder;
    # a check writes nothing, so it stands one in (and says below that it is missing).
    standin = {} if environ.get("PB_ENV") == "production" else {"SECRET_KEY": "checking"}
    try:
        found = settings.load(settings.instance_folder(environ), standin, environ=environ)
    except settings.ConfigError as error:
        return [str(error)]
    said: list[str] = []
    say = said.append
    production = found["PB_ENV"] == "production"
    if not production:
        say(f"PB_ENV is {found['PB_ENV']}: set PB_ENV=production on a public site, for Secure "
            "cookies, HSTS and the gevent server.")
    if not environ.get("SECRET_KEY"):
        say("SECRET_KEY is not in the environment: each server would use its own generated "
            "key, logging people out on every restart; set a long random SECRET_KEY.")
    elif len(environ["SECRET_KEY"]) < 32:
        say("SECRET_KEY is shorter than 32 characters: use a long random one, e.g. "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'.")
    sqlite = str(found["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    if sqlite and processes > 1:
        say(f"The database is SQLite and {processes} server processes are planned: they take "
            "turns to write one file; use PostgreSQL (PB_DATABASE_URL) for several processes.")
    if processes > 1 and not found["PB_REDIS_URL"]:
        say(f"{processes} server processes are planned without PB_REDIS_URL: they would not "
            "share live rooms or rate limits; set PB_REDIS_URL to a Redis server.")
    if environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes", "on"):
        say("FLASK_DEBUG is on: the debugger lets anyone who reaches an error page run code on "
            "the server; unset FLASK_DEBUG.")
    if behind_proxy and not found["PB_TRUSTED_PROXIES"]:
        say("pb runs behind a proxy but PB_TRUSTED_PROXIES is 0: every visitor would share "
            "the proxy's address (one rate-limit bucket for the whole town) and links would "
            "use http; set PB_TRUSTED_PROXIES=1 for one proxy.")
    if not behind_proxy and found["PB_TRUSTED_PROXIES"]:
        say("PB_TRUSTED_PROXIES is set but no proxy was named (--behind-proxy): without a "
            "proxy in front, anyone could forge X-Forwarded-For; set it to 0.")
    if production and found["PB_BASE_URL"].startswith("http://"):
        say(f"PB_BASE_URL is {found['PB_BASE_URL']}: links in emails (password resets) would "
            "travel over plain http; serve the site over https and use an https:// address.")
    if production and not found["PB_REQUIRE_TWO_FACTOR"]:
        say("PB_REQUIRE_TWO_FACTOR is off: admins and officers, who certify results and change "
            "roles, could sign in with a password alone; set PB_REQUIRE_TWO_FACTOR=1 (see "
            "docs/two-factor.md).")
    if production and not found["SESSION_COOKIE_SECURE"]:
        say("PB_SECURE_COOKIES is off in production: login cookies would travel over plain "
            "http; serve the site over https and remove PB_SECURE_COOKIES.")
    for locale in (code for code in found["PB_LANGUAGES"] if code != "en"):  # en: the source
        if not (root / "translations" / locale / "LC_MESSAGES" / "messages.mo").exists():
            say(f"The compiled {locale} catalogue is missing: pages in that language would show "
                "English; install pb from a built wheel, or run "
                "`python -c 'from pb.i18n.catalogues import compile_catalogues; "
                "compile_catalogues()'`.")
    if not found["PB_SMTP_HOST"]:
        say("PB_SMTP_HOST is not set: emails (password resets) are only kept in the admin "
            "outbox, not sent.")
    return said


@click.command("check-deploy")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes you will run (pb serve --processes N).")
@click.option("--behind-proxy", is_flag=True, help="pb will run behind a reverse proxy.")
def check_deploy_command(processes: int, behind_proxy: bool) -> None:
    """Say every risky setting for a public site; exit 1 if there is any."""
    found = risks(os.environ, processes=processes, behind_proxy=behind_proxy)
    for sentence in found:
        click.echo(f"- {sentence}")
    if found:
        raise SystemExit(1)
    click.echo("No risky settings found.")
