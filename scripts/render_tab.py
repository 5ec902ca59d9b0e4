"""Draw one tab of a workbook into a PNG with LibreOffice (what `make demo` shows).

Usage: ``python scripts/render_tab.py WORKBOOK TAB PNG [--width PX] [--top FRACTION]``.
Without LibreOffice (or poppler's pdftoppm) it says how to install them and
exits 0, so the demo goes on; any other failure exits 3 with the reason.
"""

from __future__ import annotations

import argparse
import sys

from sheetsync.errors import SheetsyncError
from sheetsync.render import RenderUnavailable, render_tab


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workbook")
    ap.add_argument("tab")
    ap.add_argument("png")
    ap.add_argument("--width", type=int, default=1600, help="picture width in pixels")
    ap.add_argument("--top", type=float, help="keep only this top share of the tab (0..1)")
    args = ap.parse_args(argv)
    try:
        made = render_tab(args.workbook, args.tab, args.png, width=args.width, top=args.top)
    except RenderUnavailable as exc:
        print(f"No picture of the tab: {exc.message}.\n  To get one: {exc.hint}")
        return 0
    except SheetsyncError as exc:
        print(f"No picture of the tab: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    print(f"A picture of the tab {args.tab!r}, drawn by LibreOffice: {made}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
