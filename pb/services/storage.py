"""The uploads folder: files kept under the SHA-256 of their content, written whole or not.

`PB_UPLOADS` names the folder (the instance folder's `uploads/` by default). A file's name is
its content's hash and a suffix, so the same bytes are kept once, a name never changes
meaning (pages can cache it for ever) and nothing a person typed reaches the file system.
Several server processes share the folder as it is (docs/deploy/uploads.md): a file appears
under its name only once fully written (write to a temporary name, then rename).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

NAME = re.compile(r"^[0-9a-f]{64}(-[0-9]{1,5})?\.(webp|pdf)$")
TYPES = {"webp": "image/webp", "pdf": "application/pdf"}


def folder() -> Path:
    """Return the uploads folder, made if missing."""
    path = Path(current_app.config["PB_UPLOADS"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def digest(data: bytes) -> str:
    """Return the SHA-256 of `data`, in hex: the stem of its stored name."""
    return hashlib.sha256(data).hexdigest()


def store(data: bytes, suffix: str, stem: str | None = None) -> str:
    """Keep `data` as "<sha256>.<suffix>" (once, whoever else stores the same bytes); return
    the name. A photo's widths are named "<sha256 of its widest>-<width>.webp" instead, so
    one look-up finds the photo any of its files belongs to."""
    name = f"{stem or digest(data)}.{suffix}"
    target = folder() / name
    if target.exists():
        return name
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def path_of(name: str) -> Path | None:
    """Return the stored file called `name`, or None for a name pb never gives or a file
    that is not there."""
    if not NAME.match(name):
        return None
    path = folder() / name
    return path if path.is_file() else None


def content_type(name: str) -> str:
    """Return the Content-Type a stored file is served with."""
    return TYPES[name.rsplit(".", 1)[1]]
