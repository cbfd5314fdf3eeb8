"""The text-recovery figure of issue 2, shared by the reader tests.

recovery(seed, text): the share of the seed's non-space characters that come out in
order (difflib matching blocks), the seed normalised as the DocumentBuilder normalises
every piece (full-width digits to ASCII …), so a normalisation is not counted as a loss.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

from policyparse.normalize import normalize_text


def recovery(seed: str, text: str, *, fold_width: bool = False) -> float:
    """``fold_width``: NFKC on both sides, so ``,`` and ``，`` count as one (an OCR engine
    writes Chinese-context punctuation full-width whatever width was printed)."""
    seed = normalize_text(seed)
    if fold_width:
        seed, text = unicodedata.normalize("NFKC", seed), unicodedata.normalize("NFKC", text)
    a = re.sub(r"\s", "", seed)
    b = re.sub(r"\s", "", text)
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(m.size for m in blocks) / len(a)
