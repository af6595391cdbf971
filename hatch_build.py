"""Put what pb reads at run time inside the wheel's package: templates/, static/ and
migrations/ become pb/templates/ and so on, and each translations/<lang>/LC_MESSAGES/
messages.po is compiled into pb/translations/<lang>/LC_MESSAGES/messages.mo. Hatchling runs
this while it builds a wheel; an editable install reads them from the checkout instead."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CARRIED = ("templates", "static", "migrations")


class CustomBuildHook(BuildHookInterface):  # the name hatchling looks for
    """Add the run-time folders and a compiled catalogue for every language to the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for folder in CARRIED:
            build_data["force_include"][str(root / folder)] = f"pb/{folder}"
        out = Path(tempfile.mkdtemp(prefix="pb-catalogues-"))
        for po in sorted(root.glob("translations/*/LC_MESSAGES/messages.po")):
            locale = po.parent.parent.name
            mo = out / locale / "messages.mo"
            mo.parent.mkdir(parents=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=locale)
            with mo.open("wb") as target:
                write_mo(target, catalog)
            build_data["force_include"][str(mo)] = \
                f"pb/translations/{locale}/LC_MESSAGES/messages.mo"
