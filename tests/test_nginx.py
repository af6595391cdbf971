"""pb as the README's production recipe runs it: Debian's nginx with the shipped
docs/deploy/nginx.conf (https, websocket upgrade) in front of `pb serve --processes 2`, on a
throwaway PostgreSQL and Redis, with PB_TRUSTED_PROXIES=1. Everything here goes through
nginx, over https, as a visitor's browser would."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from tests.servers import Site, production_site

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
RESIDENT = ("resident@demo.example.org", "afonbridge-demo-2026")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with production_site(tmp_path_factory.mktemp("production")) as found:
        yield found


class FromAddress(HTTPAdapter):
    """Send from another loopback address, as a second visitor in the hall would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def visitor(address: str = "127.0.0.1") -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # an environment's CA bundle would override verify=False
    session.verify = False  # the test's own certificate
    session.mount("https://", FromAddress(address))
    warnings.simplefilter("ignore", InsecureRequestWarning)
    return session


def token(session: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      session.get(url, timeout=10).text)
    assert found, url
    return found.group(1)


def test_pages_come_over_https_in_both_languages(site: Site) -> None:
    browser = visitor()
    home = browser.get(site.url + "/", timeout=10)
    assert home.status_code == 200 and "Strict-Transport-Security" in home.headers
    assert "Mewngofnodi" in browser.get(site.url + "/?lang=cy", timeout=10).text
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', home.text)
    assert css and "immutable" in browser.get(site.url + css.group(1),
                                              timeout=10).headers["Cache-Control"]
    moved = visitor().get(site.plain + "/", allow_redirects=False, timeout=10)
    assert moved.status_code == 301 and moved.headers["Location"].startswith("https://")


def test_links_use_the_address_people_typed(site: Site) -> None:
    feed = visitor().get(site.url + "/records/feed.atom", timeout=10).text
    assert f"{site.url}/records/feed.atom" in feed


def test_logging_in_sets_a_secure_cookie_and_works(site: Site) -> None:
    browser = visitor()
    sent = browser.post(site.url + "/account/login", data={
        "email": RESIDENT[0], "password": RESIDENT[1],
        "csrf_token": token(browser, site.url + "/account/login")}, allow_redirects=False,
        headers={"Referer": site.url + "/account/login"}, timeout=10)  # as a browser sends
    assert sent.status_code == 302
    assert all(cookie.secure for cookie in browser.cookies)
    assert "__Host-session" in {cookie.name for cookie in browser.cookies}
    assert "Log out" in browser.get(site.url + "/", timeout=10).text


def test_a_ballot_over_https_and_one_over_a_websocket(site: Site) -> None:
    listing = visitor().get(f"{site.url}/rounds/{site.round_id}/proposals", timeout=10).text
    projects = sorted(set(re.findall(r'href="/proposals/(\d+)"', listing)))
    assert projects and len(site.codes) >= 2
    answer = visitor().post(f"{site.url}/rounds/{site.round_id}/ballot", json={
        "code": site.codes[0], "key": "nginx-https-1", "items": projects[:1]},
        timeout=10).json()
    assert answer["ok"] and answer["receipt"], answer
    # One namespace per connection, as pb's own pages connect.
    client = socketio.Client(reconnection=False, ssl_verify=False)
    client.connect(site.url, transports=["websocket"], wait_timeout=10)
    try:
        assert client.call("watch", {"round": site.round_id}, timeout=10)["ok"]
        cast = client.call("vote", {"round": site.round_id, "code": site.codes[1],
                                    "key": "nginx-socket-1", "items": projects[1:2]},
                           timeout=10)
        assert cast["ok"] and cast["receipt"], cast
    finally:
        client.disconnect()
    phone = socketio.Client(reconnection=False, ssl_verify=False)
    phone.connect(site.url, transports=["websocket"], namespaces=["/live"], wait_timeout=10)
    try:
        joined = phone.call("join", {"code": site.join_code}, namespace="/live", timeout=10)
        assert joined["ok"] and joined["state"]["code"] == site.join_code
    finally:
        phone.disconnect()


def test_rate_limits_count_per_visitor_behind_the_proxy(site: Site) -> None:
    def failed_login(browser: requests.Session) -> int:
        return browser.post(site.url + "/account/login", data={
            "email": "nobody@example.org", "password": "not the password",
            "csrf_token": token(browser, site.url + "/account/login")},
            headers={"X-Forwarded-For": "203.0.113.9",  # forged: nginx adds the real one
                     "Referer": site.url + "/account/login"},
            timeout=10).status_code

    first, second = visitor("127.0.0.1"), visitor("127.0.0.2")
    assert [failed_login(first) for _ in range(4)][-1] == 429
    assert failed_login(second) == 400  # another visitor is not locked out


def test_headers_name_no_versions_and_forged_hosts_are_refused(site: Site) -> None:
    browser = visitor()
    home = browser.get(site.url + "/", timeout=10)
    assert home.headers["Server"] == "nginx"  # server_tokens off; pb's own name never shows
    assert "camera=()" in home.headers["Permissions-Policy"]
    assert home.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "connect-src 'self' wss://localhost:" in home.headers["Content-Security-Policy"]
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    forged = browser.post(site.url + "/account/forgot", data={"email": RESIDENT[0]},
                          headers={"Host": "attacker.example"}, timeout=10)
    assert forged.status_code == 400 and "its own address" in forged.text
    # nginx sets X-Forwarded-Host itself, so a forged one never reaches pb.
    passed = browser.get(site.url + "/records/feed.atom",
                         headers={"X-Forwarded-Host": "attacker.example"}, timeout=10)
    assert passed.status_code == 200 and "attacker.example" not in passed.text
