"""Accessibility and weight checks run inside the browser tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
PAGE_BUDGET = 100 * 1024     # bytes transferred on first load, everything included
SCRIPT_BUDGET = 50 * 1024    # bytes of JavaScript transferred on first load


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the page as it is now; return one line per violation and node."""
    # Evaluated through the DevTools protocol, which our Content-Security-Policy does not
    # block, so the page keeps its real CSP while it is checked.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']})", AXE_TAGS)
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                         f"at {json.dumps(node['target'])}: {node['failureSummary'][:200]}")
    return lines


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail with every axe violation on the page."""
    problems = axe_violations(page)
    assert not problems, f"axe found problems on {where or page.url}:\n" + "\n".join(problems)


@dataclass
class Weight:
    """What one page load transferred."""

    url: str
    total: int = 0
    script: int = 0
    files: list[tuple[str, int]] = field(default_factory=list)


def measure_load(page: Any, url: str) -> Weight:
    """Load `url` in a fresh page (no cache) and add up every byte transferred."""
    weight = Weight(url)
    finished: list[Any] = []

    def record(request: Any) -> None:
        finished.append(request)

    page.on("requestfinished", record)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", record)
    for request in finished:
        if request.url.startswith("data:") or urlsplit(request.url).path == "/socket.io/":
            continue  # the live connection is not part of loading the page
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        weight.total += size
        if request.resource_type == "script":
            weight.script += size
        weight.files.append((request.url, size))
    return weight


def text_reflows_at_double_size(page: Any) -> bool:
    """Tell whether the page still fits the screen width with text at 200%."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.evaluate("document.documentElement.style.fontSize = ''")
    return bool(fits)


def focus_is_visible(page: Any) -> bool:
    """Tell whether the focused element shows a focus indicator (outline or box shadow)."""
    return bool(page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return false;
        const s = getComputedStyle(el);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
            || (s.boxShadow && s.boxShadow !== 'none');
    }"""))
