"""What a proposal page needs to show its discussion: the one entry point the page calls."""

from __future__ import annotations

from typing import Any


def thread_context(proposal: Any, viewer: Any) -> dict[str, Any]:
    """Return the template values of the proposal's discussion for `viewer` (None: a visitor).

    The proposal page passes the result to `templates/discussion/_thread.html` as `discussion`.
    """
    return {"proposal": proposal, "comments": [], "counts": {}}
