"""Browser tests: the real app served on loopback, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from pb import create_app
from pb.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 812}
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
ADMIN = ("alex@e2e.example.org", "a quiet harbour at dawn")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in item.nodeid.split("/")[0]:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev test, which installs it with apt-get")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": PHONE, "locale": "en-GB"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from flask_migrate import upgrade

    from pb import demo
    from pb.services import accounts

    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    app = create_app({"PB_ENV": "testing", "SECRET_KEY": "e2e-secret",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "PB_UPLOADS": str(database.parent / "uploads"),
                      "PB_LOGIN_LIMIT": "1000 per minute"})
    with app.app_context():
        upgrade()
        accounts.do_create_admin(ADMIN[0], "Alex Admin", ADMIN[1])
        app.config["E2E_DEMO_OUTPUT"] = list(demo.seed())  # its voting codes are fresh
        db.session.remove()
    return app


def demo_codes(app: Any) -> list[str]:
    """Return the voting codes `pb demo` printed for this session's town (new each seed)."""
    return [line.strip() for line in app.config["E2E_DEMO_OUTPUT"]
            if re.fullmatch(r"  [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", line)]


@pytest.fixture(scope="session")
def base_url(live_app: Any) -> Iterator[str]:
    """Serve the app on a free loopback port for the whole session (pytest-playwright's URL)."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()


@pytest.fixture()
def shot(request: pytest.FixtureRequest) -> Any:
    """Save a full-page screenshot named after the test, to look at after the run."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page: Any, name: str) -> Path:
        """Screenshot the page and check it with axe: every page a test shows is checked."""
        from e2e.a11y import assert_accessible

        test = re.sub(r"[^\w-]+", "_", request.node.name)
        path = SHOTS / f"{test}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert_accessible(page, f"{name} ({page.url})")
        return path

    return take


def log_in(page: Any, email: str, password: str) -> None:
    """Log in through the real form (by field ids, so it works in every language)."""
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$|.*/rounds/.*"))


def new_page(browser: Any, base_url: str, lang: str, scheme: str) -> Any:
    """Open a page in a fresh phone-sized context, in `lang` ("en" or "cy") and colour
    `scheme` ("light" or "dark"), with reduced motion."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, color_scheme=scheme,
                                  locale="cy-GB" if lang == "cy" else "en-GB",
                                  reduced_motion="reduce")
    return context.new_page()


def opened(browser: Any, base_url: str, viewport: dict[str, int]) -> Any:
    """Open a page in a fresh English context of `viewport`'s size (a phone, a projector)."""
    return browser.new_context(base_url=base_url, viewport=viewport,
                               locale="en-GB").new_page()


def press(console: Any, name: str) -> None:
    """Press a live console's button by its name and wait until the server has done it."""
    from playwright.sync_api import expect

    console.get_by_role("button", name=name, exact=True).click()
    expect(console.locator("#c-feedback")).to_have_text("Done.")
