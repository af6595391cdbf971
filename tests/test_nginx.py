"""pb as the README's production recipe runs it: Debian's nginx with the shipped
docs/deploy/nginx.conf (https, websocket upgrade) in front of `pb serve --processes 2`, on a
throwaway PostgreSQL and Redis, with PB_TRUSTED_PROXIES=1. Everything here goes through
nginx, over https, as a visitor's browser would."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from tests.servers import (
    SECRET,
    PostgresServer,
    RedisServer,
    free_port,
    pb_command,
    stop,
    wait_for_port,
    wait_until_answering,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "docs" / "deploy" / "nginx.conf"
RESIDENT = ("resident@demo.example.org", "afonbridge-demo-2026")


@dataclass
class Site:
    url: str  # https, through nginx
    plain: str  # http, through nginx (redirects)
    round_id: int  # the demo round that votes by code
    codes: list[str]
    join_code: str  # the demo's live session


def nginx_config(folder: Path, upstream: int, https: int, http: int) -> Path:
    """The shipped site file, pointed at this test's ports and certificate, in a minimal
    nginx.conf of its own (no packaged service, nothing outside `folder`)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    site = SHIPPED.read_text()
    for shipped, here in (
            ("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};"),
            ("listen 80;", f"listen 127.0.0.1:{http};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
            ("/etc/letsencrypt/live/pb.example.org/fullchain.pem", str(folder / "cert.pem")),
            ("/etc/letsencrypt/live/pb.example.org/privkey.pem", str(folder / "key.pem")),
            ("pb.example.org", "localhost")):
        assert shipped in site, f"docs/deploy/nginx.conf no longer has {shipped!r}"
        site = site.replace(shipped, here)
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = folder / "nginx.conf"
    config.write_text(f"""user root;
daemon off;
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'};
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder / 'access.log'};
{temp}
{site}
}}
""")
    return config


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: apt-get install -y nginx (./dev test does)")
    folder = tmp_path_factory.mktemp("production")
    database, redis = PostgresServer(), RedisServer()
    running: list[subprocess.Popen[bytes]] = []
    try:
        database.start()
        redis.start()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "PB_ENV": "production",
               "SECRET_KEY": SECRET, "PB_DATABASE_URL": database.url,
               "PB_REDIS_URL": redis.url, "PB_TRUSTED_PROXIES": "1",
               "PB_LOGIN_LIMIT": "3 per minute", "PB_INSTANCE_PATH": str(folder / "instance")}
        pb = pb_command()
        for command in (["db", "upgrade"], ["demo"]):
            done = subprocess.run([pb, *command], env=env, cwd=folder, capture_output=True,
                                  text=True, check=False)
            assert done.returncode == 0, done.stderr
        demo = done.stdout
        found = re.search(r"Voting codes for round (\d+)", demo)
        joining = re.search(r"join code (\w+)", demo)
        assert found and joining, demo
        codes = re.findall(r"^  ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})$", demo, re.M)
        upstream, https, http = free_port(), free_port(), free_port()
        log = folder / "serve.log"
        with log.open("wb") as out:
            running.append(subprocess.Popen(
                [pb, "serve", "--host", "127.0.0.1", "--port", str(upstream), "--processes",
                 "2"], env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT))
        wait_until_answering(f"http://127.0.0.1:{upstream}", running[0], log)
        config = nginx_config(folder, upstream, https, http)
        running.append(subprocess.Popen([nginx, "-c", str(config), "-p", str(folder), "-e",
                                         str(folder / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(https, running[1])
        yield Site(f"https://localhost:{https}", f"http://localhost:{http}",
                   int(found.group(1)), codes, joining.group(1))
    finally:
        for process in reversed(running):
            stop(process)
        redis.remove()
        database.remove()


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
    assert "Log out" in browser.get(site.url + "/", timeout=10).text


def test_a_ballot_over_https_and_one_over_a_websocket(site: Site) -> None:
    listing = visitor().get(f"{site.url}/rounds/{site.round_id}/proposals", timeout=10).text
    projects = sorted(set(re.findall(r'href="/proposals/(\d+)"', listing)))
    assert projects and len(site.codes) >= 2
    answer = visitor().post(f"{site.url}/rounds/{site.round_id}/ballot", json={
        "code": site.codes[0], "key": "nginx-https-1", "items": projects[:1]},
        timeout=10).json()
    assert answer["ok"] and answer["receipt"], answer
    client = socketio.Client(reconnection=False, ssl_verify=False)
    client.connect(site.url, transports=["websocket"], namespaces=["/", "/live"],
                   wait_timeout=10)
    try:
        assert client.call("watch", {"round": site.round_id}, timeout=10)["ok"]
        cast = client.call("vote", {"round": site.round_id, "code": site.codes[1],
                                    "key": "nginx-socket-1", "items": projects[1:2]},
                           timeout=10)
        assert cast["ok"] and cast["receipt"], cast
        joined = client.call("join", {"code": site.join_code}, namespace="/live", timeout=10)
        assert joined["ok"] and joined["state"]["code"] == site.join_code
    finally:
        client.disconnect()


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
