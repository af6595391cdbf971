"""Where the shared pabulib instances live: beside the repository, as in CI (`../shared`)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """Return the shared data folder; fail loudly when it is missing, never skip."""
    candidates = [Path(os.environ["PB_PABULIB_DATA"])] if os.environ.get("PB_PABULIB_DATA") \
        else [ROOT.parent / "shared" / "data", Path("/work/shared/data")]
    for folder in candidates:
        if (folder / "reference.json").exists():
            return folder
    raise FileNotFoundError(
        f"The shared pabulib data is missing (looked in {', '.join(map(str, candidates))}). "
        "Clone the repository beside shared/ or set PB_PABULIB_DATA.")
