"""What lets a phone keep going when the hall's Wi-Fi drops (issue #15): the web app manifest,
the service worker at the site's root, the files it keeps, and the offline page. The worker's
behaviour in a browser is tested in e2e/test_live_offline.py."""

from __future__ import annotations

import json
import re
import struct
from typing import Any

from tests.conftest import text


def test_the_manifest_is_valid_json_with_what_an_installed_app_needs(client: Any) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        assert image.mimetype == icon["type"] == "image/png"
        body = image.get_data()
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", body[16:24])
        assert icon["sizes"] == f"{width}x{height}"


def test_the_manifest_speaks_the_readers_language(client: Any) -> None:
    english = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    welsh = json.loads(client.get("/manifest.webmanifest?lang=cy").get_data(as_text=True))
    assert english["description"].startswith("Propose")
    assert set(welsh) == set(english)


def test_the_service_worker_is_javascript_served_from_the_root(client: Any) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    # From the root, its default scope is the whole site; no Service-Worker-Allowed needed.
    assert "Service-Worker-Allowed" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy


def test_the_service_worker_keeps_the_fingerprinted_files_of_the_offline_pages(
        client: Any) -> None:
    source = client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', source)
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", source).group(1))
    assert version, "the route fills in the worker's version"
    assert len(assets) >= 8
    for url in assets:
        assert re.search(r"\.[0-9a-f]{10}\.\w+$", url), url
        assert client.get(url).status_code == 200, url
    assert any("live-phone" in url for url in assets)
    assert any("offline-store" in url for url in assets)
    assert any("ballot" in url for url in assets)


def test_every_page_links_the_manifest_and_registers_the_worker(client: Any) -> None:
    page = text(client.get("/"))
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert re.search(r'<script src="/static/js/pwa\.[0-9a-f]{10}\.js" defer></script>', page)
    assert '<meta name="theme-color"' in page


def test_the_offline_page_shows_nobodys_data(client: Any) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    assert "No connection" in text(response)
    assert "csrf_token" not in text(response)  # the worker fetches it without cookies
