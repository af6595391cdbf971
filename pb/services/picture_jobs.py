"""Photos re-encoded outside the request that took them, and picked up again after a crash.

`do_add` has `pb.services.pictures.do_add` keep an upload's bytes as a pending file and the
photo as "processing", then calls `start` and answers. Under `pb serve` (gevent) a greenlet does the
database work while the decoding and encoding run in gevent's thread pool, a real OS thread
(`pb.services.offload.off_loop`; Pillow releases the GIL), so no CPU work runs on the loop;
elsewhere (tests, `flask run`, `pb worker`) a plain thread does all of it. `prepare` fills the
widths and marks the photo ready (then deletes the pending bytes), or marks it failed with the
message when only a full decode finds the problem (damaged data, a decompression bomb).

Nothing is lost if the process dies mid-way: a photo not started, or left processing for more
than `STALE`, is started again by `pb worker`'s pass (`resume_stale`) or by the next status
check (`poll`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from pb.domain.errors import N_
from pb.domain.pictures import FileRefused
from pb.extensions import db
from pb.models import Proposal, ProposalPicture, User
from pb.models.base import utcnow
from pb.services import discard, pictures, storage, unit_of_work
from pb.services.offload import off_loop, under_gevent

log = logging.getLogger(__name__)

STALE = timedelta(minutes=1)  # a photo processing longer than this is started again
PENDING = re.compile(r"^upload-[0-9a-f]{32}\.pending$")
UNPREPARED = N_("The photo could not be prepared. Remove it and add it again.")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_running: set[Any] = set()  # futures (threads) or greenlets (gevent) not finished yet


def do_add(actor: User, proposal: Proposal, data: bytes,
           alt: str | Mapping[str, Mapping[str, str]]) -> ProposalPicture:
    """Take a photo (`pb.services.pictures.do_add`: refused at once when its size or header
    is wrong) and start re-encoding it in the background; return it, still processing."""
    picture = pictures.do_add(actor, proposal, data, alt)
    if _claim(picture.id, utcnow()):
        start(picture.id)
    return picture


def start(picture_id: int) -> None:
    """Re-encode the photo in the background; return at once."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if under_gevent():
        import gevent  # noqa: PLC0415  (gevent is optional: the server extra)

        greenlet = gevent.spawn(_run, app, picture_id)
        _running.add(greenlet)
        greenlet.link(_running.discard)
        return
    global _pool  # noqa: PLW0603  (one pool per process, made on first use)
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pb-pictures")
        future: Future[None] = _pool.submit(_run, app, picture_id)
        _running.add(future)
    future.add_done_callback(_running.discard)


def wait_idle(timeout: float = 300.0) -> bool:
    """Wait until the photos started in this process are prepared (tests, benchmarks); tell
    whether they all are."""
    running = list(_running)
    futures = [r for r in running if isinstance(r, Future)]
    if futures:
        wait_futures(futures, timeout)
    greenlets = [r for r in running if not isinstance(r, Future)]
    if greenlets:
        import gevent  # noqa: PLC0415

        gevent.joinall(greenlets, timeout=timeout)
    return all(f.done() for f in futures) and all(g.dead for g in greenlets)


def _run(app: Flask, picture_id: int) -> None:
    with app.app_context():
        try:
            prepare(picture_id)
        except Exception:  # a background job has nobody to answer; the worker retries
            log.exception("Preparing photo %s failed; pb worker tries again.", picture_id)
            discard()
        finally:
            db.session.remove()


def prepare(picture_id: int) -> str:
    """Re-encode a processing photo from its pending bytes; return its state afterwards."""
    picture = db.session.get(ProposalPicture, picture_id)
    if picture is None or picture.state != "processing":
        return picture.state if picture else "missing"
    pending = picture.pending
    path = _pending_path(pending)
    data = path.read_bytes() if path else None
    db.session.rollback()  # hold no transaction while decoding
    if data is None:
        return _fail(picture_id, UNPREPARED)
    try:
        encoded = off_loop(pictures.reencode, data)
    except FileRefused as refused:
        return _fail(picture_id, refused.template)
    except MemoryError:
        return _fail(picture_id, pictures.BOMB)
    with unit_of_work():
        key = storage.digest(encoded.files[-1][2])
        variants = []
        for width, height, content in encoded.files:
            name = storage.store(content, "webp", stem=f"{key}-{width}")
            variants.append({"width": width, "height": height, "name": name,
                             "bytes": len(content)})
        picture = db.session.get(ProposalPicture, picture_id, populate_existing=True)
        assert picture is not None
        proposal = db.session.get(Proposal, picture.proposal_id)
        assert proposal is not None
        before = [p for p in pictures.shown(proposal) if p.state == "ready"]
        done = db.session.execute(sa.update(ProposalPicture).where(
            ProposalPicture.id == picture_id, ProposalPicture.state == "processing").values(
            state="ready", key=key, width=encoded.width, height=encoded.height,
            variants=variants, pending=None, failure=None)).rowcount
        if done:
            db.session.refresh(picture)
            if picture.removed_at is None:
                after = sorted([*before, picture], key=lambda p: (p.position, p.id))
                pictures._revise(picture.added_by, proposal, before, after)
    _delete_pending(pending)
    return "ready"


def _fail(picture_id: int, message: str) -> str:
    """Mark a processing photo failed with `message` (a gettext template without values)."""
    with unit_of_work():
        pending = db.session.scalar(sa.select(ProposalPicture.pending).where(
            ProposalPicture.id == picture_id))
        db.session.execute(sa.update(ProposalPicture).where(
            ProposalPicture.id == picture_id, ProposalPicture.state == "processing").values(
            state="failed", failure=message, pending=None))
    _delete_pending(pending)
    return "failed"


def _pending_path(name: str | None) -> Any:
    if not name or not PENDING.match(name):
        return None
    path = storage.folder() / name
    return path if path.is_file() else None


def _delete_pending(name: str | None) -> None:
    path = _pending_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def _claim(picture_id: int, now: datetime) -> bool:
    """Take a photo left processing for more than STALE; False when it is not (any more)."""
    with unit_of_work():
        return bool(db.session.execute(sa.update(ProposalPicture).where(
            ProposalPicture.id == picture_id, ProposalPicture.state == "processing",
            sa.or_(ProposalPicture.started_at.is_(None),
                   ProposalPicture.started_at < now - STALE)).values(started_at=now)).rowcount)


def stale(now: datetime | None = None) -> list[int]:
    """Return the ids of the photos left processing for more than STALE."""
    now = now or utcnow()
    return list(db.session.scalars(sa.select(ProposalPicture.id).where(
        ProposalPicture.state == "processing",
        sa.or_(ProposalPicture.started_at.is_(None),
               ProposalPicture.started_at < now - STALE)).order_by(ProposalPicture.id)))


def resume_stale(now: datetime | None = None) -> int:
    """Prepare, here and now, the photos left processing (the worker's pass); return how many."""
    now = now or utcnow()
    done = 0
    for picture_id in stale(now):
        if _claim(picture_id, now):
            prepare(picture_id)
            done += 1
    return done


def poll(picture: ProposalPicture) -> dict[str, Any]:
    """Return the photo's state for its status check, starting it again in the background
    when it was left processing for more than STALE."""
    now = utcnow()
    if picture.state == "processing" and picture.id in stale(now) and _claim(picture.id, now):
        start(picture.id)
    return {"id": picture.id, "state": picture.state, "failure": picture.failure}
