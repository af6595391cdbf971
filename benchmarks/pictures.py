"""How long re-encoding an uploaded photo takes (pb.services.pictures.reencode), for the
photos people send and for the largest file pb accepts, and how long the upload's request
takes now that the re-encoding runs outside it (pb.services.picture_jobs).

    python benchmarks/pictures.py [--repeat 3]

Each case is made with tests/images.py (a photo-like scene), then decoded and re-encoded at
every planned width three times; the best and the worst time are printed, with the bytes of
each width made. Then each is uploaded three times through the photos page (Flask's test
client, a SQLite database in a temporary folder): the time until the page answers, and until
the photo is ready. Pillow releases the GIL while it decodes, resizes and encodes, so under
`pb serve` the re-encoding runs in gevent's thread pool while other requests go on. The load
average is printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cases() -> list[tuple[str, bytes]]:
    from PIL import Image

    from tests import images

    flat = io.BytesIO()  # the most pixels accepted, in a file under the 10 MB cap
    Image.new("RGB", (7300, 5470), (90, 140, 200)).save(flat, "PNG")
    return [
        ("12 MP phone JPEG (4000 x 3000)", images.photo(4000, 3000)),
        ("12 MP JPEG turned by EXIF, with GPS", images.photo(4000, 3000, orientation=6,
                                                             gps=True)),
        ("3 MP PNG screenshot-like (2000 x 1500)", images.photo(2000, 1500, "PNG")),
        ("40 MP PNG, the pixel cap (7300 x 5470)", flat.getvalue()),
    ]


def uploads(folder: str, repeat: int) -> None:
    """Time the upload's request (until the page answers) and the photo's readiness."""
    from flask_migrate import upgrade

    from pb import create_app
    from pb.extensions import db
    from pb.models import ProposalPicture
    from pb.services import accounts, picture_jobs, proposals, rounds

    app = create_app({"PB_ENV": "testing", "SECRET_KEY": "benchmark",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                      "PB_UPLOADS": f"{folder}/uploads", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": "pb.test"})
    with app.app_context():
        upgrade()
        officer = accounts.do_create_admin("officer@example.org", "Officer",
                                           "a quiet harbour at dawn")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title="Benchmark", area="Here", budget_minor=1_000_000, currency="GBP",
            ballot_method="scoring", tally_rule="greedy"))
        rounds.do_change_phase(officer, round_, "proposals")
        accounts.start_session(officer, "benchmark")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = officer.get_id(), True
        print("\n| upload | upload response: best | worst | ready after: best | worst |\n"
              "|---|---|---|---|---|")
        for name, data in cases():
            answered, ready = [], []
            for _ in range(repeat):
                proposal, _ = proposals.do_create(officer, round_, proposals.ProposalData(
                    title="Photos", summary="A benchmark.", body="", cost_minor=1000),
                    submit=True, form_key=os.urandom(8).hex())
                start = time.perf_counter()
                response = client.post(f"/proposals/{proposal.id}/photos", data={
                    "alt": "A photo", "file": (io.BytesIO(data), "photo")},
                    content_type="multipart/form-data")
                answered.append(time.perf_counter() - start)
                assert response.status_code == 302, response.status_code
                picture_jobs.wait_idle(600)
                ready.append(time.perf_counter() - start)
                db.session.expire_all()
                states = {p.state for p in db.session.query(ProposalPicture)}
                assert states == {"ready"}, states
            print(f"| {name} | {_ms(min(answered))} | {_ms(max(answered))} "
                  f"| {min(ready):.2f} s | {max(ready):.2f} s |")
        db.session.remove()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pb.services.pictures import reencode

    print(f"Load average before: {_load()}")
    print("| upload | file | best | worst | widths made (bytes) |\n|---|---|---|---|---|")
    for name, data in cases():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            made = reencode(data)
            times.append(time.perf_counter() - start)
        widths = ", ".join(f"{w}: {len(b):,}" for w, _h, b in made.files)
        print(f"| {name} | {len(data) / 1e6:.1f} MB | {min(times):.2f} s | {max(times):.2f} s "
              f"| {widths} |")
    with tempfile.TemporaryDirectory() as folder:
        uploads(folder, args.repeat)
    print(f"\nLoad average after: {_load()}")


def _load() -> Any:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
