"""Render plain-text notices in the layouts crawled text arrives in, for testing.

    python scripts/render_layouts.py NOTICES_DIR OUT_DIR

For every ``*.txt`` (tables written as TAB-prefixed cells, the convention of
``ingest/tables_text.py``) writes ``OUT_DIR/{runon,cells,pipes,spaces}/<stem>.txt``:

- runon:  every line break gone; table cells glued with one space;
- cells:  each table cell on a line of its own, a blank line between cells;
- pipes:  Markdown pipe tables, a ``|---|`` row under the header, section rows in the first cell;
- spaces: each table row on one line, its cells separated by one space.

The text outside tables is left as it is, except in runon. This re-implements the shapes
described in the shared corpus README from scratch, so that the layout recovery can be
checked on notices other than the five seeds (tests/test_unseen_notices.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from policyparse.ingest.tables_text import split_text_blocks  # noqa: E402

LAYOUTS = ("runon", "cells", "pipes", "spaces")


def _cells(row) -> list[str]:
    return [(c if isinstance(c, str) else c[0]).replace("\n", "") for c in row]


def render(text: str, layout: str) -> str:
    parts: list[str] = []
    for kind, payload in split_text_blocks(text.replace("\r\n", "\n")):
        if kind == "paragraph":
            parts.append(payload)
            continue
        rows = payload
        width = max(len(_cells(r)) for r in rows)
        if layout == "runon":
            parts.append(" ".join(" ".join(_cells(r)) for r in rows))
        elif layout == "cells":
            parts.append("\n\n".join(c for r in rows for c in _cells(r)))
        elif layout == "spaces":
            parts.append("\n".join(" ".join(c for c in _cells(r) if c) for r in rows))
        else:
            lines = []
            for k, r in enumerate(rows):
                cells = _cells(r)
                cells += [""] * (width - len(cells))
                lines.append("| " + " | ".join(cells) + " |")
                if k == 0:
                    lines.append("|" + "---|" * width)
            parts.append("\n".join(lines))
    return ("" if layout == "runon" else "\n").join(parts) + "\n"


def main(src: str, out: str) -> None:
    for path in sorted(Path(src).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for layout in LAYOUTS:
            dest = Path(out) / layout / path.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(render(text, layout), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
