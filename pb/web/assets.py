"""Static files with fingerprinted names, served compressed and cached for a year.

`asset_url("css/app.css")` gives `/static/css/app.3f9c2a1b7d.css`; the hash changes whenever
the file does, so browsers can keep each version forever. Files are gzipped once, in memory,
at start-up. HTML pages are gzipped on the way out too: on a slow phone connection the bytes
that cross the air are what count.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request

YEAR = 365 * 24 * 3600
_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|xml|atom\+xml)|image/svg)")
_MIN_GZIP_BYTES = 500


@dataclass(frozen=True)
class Asset:
    """One static file: its fingerprinted name, bytes, gzipped bytes and type."""

    hashed: str
    body: bytes
    gzipped: bytes | None
    mimetype: str


def _fingerprint(relative: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:10]
    stem, dot, ext = relative.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{relative}.{digest}"


def build_manifest(folder: Path) -> dict[str, Asset]:
    """Read every static file once; key each asset by its plain and its hashed name."""
    manifest: dict[str, Asset] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        body = path.read_bytes()
        mimetype = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        squeezed = gzip.compress(body, 9, mtime=0) if _COMPRESSIBLE.match(mimetype) else None
        asset = Asset(_fingerprint(relative, body), body,
                      squeezed if squeezed and len(squeezed) < len(body) else None, mimetype)
        manifest[relative] = manifest[asset.hashed] = asset
    return manifest


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def register(app: Flask) -> None:
    """Serve /static/ from the manifest and compress HTML responses."""
    folder = Path(app.root_path) / "static"
    manifest = build_manifest(folder)

    def asset_url(filename: str) -> str:
        asset = manifest.get(filename)
        return f"/static/{asset.hashed if asset else filename}"

    def static(filename: str) -> Response:
        asset = manifest.get(filename)
        if asset is None:
            abort(404)
        fingerprinted = filename == asset.hashed
        body = asset.body
        response = Response(content_type=asset.mimetype)  # its charset is in it already
        if asset.gzipped is not None and _accepts_gzip():
            body = asset.gzipped
            response.headers["Content-Encoding"] = "gzip"
        response.set_data(body)
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = (f"public, max-age={YEAR}, immutable"
                                             if fingerprinted else "public, max-age=300")
        return response

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)
    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def compress(response: Response) -> Response:
        if (response.direct_passthrough or response.is_streamed or response.status_code < 200
                or "Content-Encoding" in response.headers
                or not _COMPRESSIBLE.match(response.mimetype or "") or not _accepts_gzip()):
            return response
        data = response.get_data()
        if len(data) >= _MIN_GZIP_BYTES:
            response.set_data(gzip.compress(data, 6))
            response.headers["Content-Encoding"] = "gzip"
            response.headers.add("Vary", "Accept-Encoding")
        return response

