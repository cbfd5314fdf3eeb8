"""Citations: the documents a notice cites or implements (``gazetteers/patterns/reference.yaml``).

A cited document is a 《title》, and the cited 发文字号 (or 部令 number) when it follows the
title in brackets: 贯彻落实《…的通知》（涪应急发〔2023〕10号）. Each reference keeps its span
(from 《 to the number's closing bracket) and the id of the rule that read it:
``doc_number`` or ``order_number`` (a number followed), ``title`` (none did).

The notice's own plan is no citation: 现将《2023年…工作要点》印发给你们 names the document
itself (its title carries the same words), and the title line of the header is skipped.
Which cited document is in the same run is decided at publish time over all the run's
documents (:func:`policyparse.export.tables.reference_linker`), not here: one document
does not know the others.
"""
from __future__ import annotations

import functools
import re

from ..components import component
from ..model import Document, Reference
from ..official import normalize_title
from .rules import compile_rule, pattern_file

FILE = "reference.yaml"


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, tuple[tuple[str, re.Pattern], ...]]:
    d = pattern_file(FILE)
    title = compile_rule(FILE, "title", d["title"], ("title",))
    numbers = tuple((r["id"], compile_rule(FILE, r["id"], r["pattern"], ("number",))) for r in d["numbers"])
    return title, numbers


def _own_titles(doc: Document) -> set[str]:
    """The normalised names of the document itself: its title and the plans its title issues."""
    title = doc.header.title or ""
    names = {normalize_title(t) for t in [title, *re.findall(r"《([^《》]+)》", title)]}
    return {n for n in names if n}


def find_references(text: str, own_titles: set[str] = frozenset(), skip: tuple[int, int] | None = None
                    ) -> list[Reference]:
    """Every 《title》 of ``text`` with the number that follows it, outside ``skip``
    (the header's title line) and other than the document's own titles."""
    title_rx, number_rxs = _patterns()
    out: list[Reference] = []
    for m in title_rx.finditer(text):
        if skip and skip[0] <= m.start() < skip[1]:
            continue
        title = m.group("title").strip()
        norm = normalize_title(title)
        if not norm or any(norm in own for own in own_titles):
            continue
        number, end, rule = None, m.end(), "title"
        tail = text[m.end():m.end() + 60]
        for rule_id, rx in number_rxs:
            n = rx.match(tail)
            if n:
                number, end, rule = re.sub(r"\s+", "", n.group("number")), m.end() + n.end(), rule_id
                break
        out.append(Reference(title, number, m.start(), end, rule=rule))
    return out


@component("references", stage="extract", requires=("text", "header"), assigns=("references",))
def references_step(doc: Document) -> None:
    """The documents the notice cites (《title》 and the 发文字号 after it), with their spans."""
    doc.references = find_references(doc.text, _own_titles(doc), doc.header.spans.get("title"))
