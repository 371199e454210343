"""Compile the .po catalogues to .mo with polib, so that no GNU gettext is needed to run
Relata (the compiled .mo files are committed; a test checks they match the .po)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def main() -> int:
    for po_path in catalogues():
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(LOCALE_DIR)}: {catalogue.percent_translated()}% translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
