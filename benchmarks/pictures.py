"""How long re-encoding an uploaded photo takes (pb.services.pictures.reencode), for the
photos people send and for the largest file pb accepts.

    python benchmarks/pictures.py [--repeat 3]

Each case is made with tests/images.py (a photo-like scene), then decoded and re-encoded at
every planned width three times; the best and the worst time are printed, with the bytes of
each width made. Pillow releases the GIL while it decodes, resizes and encodes, so under
`pb serve` this runs in gevent's thread pool (pb.services.offload) while other requests go on.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pb.services.pictures import reencode

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


if __name__ == "__main__":
    main()
