"""Plain text notices: UTF-8 (with or without BOM), GB18030/GBK, Big5, UTF-16."""
from __future__ import annotations

from .. import limits
from ..errors import DecodeError
from ..model import Document, DocumentBuilder
from .layout import recover_blocks

# Tried in order after the BOMs; GB18030 is a superset of GB2312 and GBK.
ENCODINGS = ("utf-8", "gb18030", "big5")


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes as text; returns (text, encoding). ``declared`` (an HTML charset,
    say) is tried first, widened to its superset (gb2312/gbk → gb18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    order = list(ENCODINGS)
    if declared:
        d = declared.strip().lower().replace("_", "-")
        if d in ("gb2312", "gbk", "gb-2312", "x-gbk", "cp936", "gb18030"):
            d = "gb18030"
        order = [d] + [e for e in order if e != d]
    for enc in order:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not _plausible_gb(text):
            # Big5 bytes also decode as GB18030 (same lead/trail byte ranges) into
            # private-use and rare characters: prefer Big5 when it decodes cleanly
            try:
                return data.decode("big5"), "big5"
            except UnicodeDecodeError:
                pass
        return text, enc
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - charset_normalizer is a fallback only
        best = None
    if best is None:
        raise DecodeError("cannot decode the text as UTF-8, GB18030 or Big5")
    return str(best), best.encoding


def _plausible_gb(text: str) -> bool:
    """Whether a GB18030 decoding reads like Chinese: no private-use characters and
    nine in ten Chinese characters inside GB2312 (the 6,763 everyday characters)."""
    if any("\ue000" <= ch <= "\uf8ff" for ch in text):
        return False
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return True
    common = sum(1 for ch in cjk if _in_gb2312(ch))
    return common >= 0.9 * len(cjk)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def read_text(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    text, encoding = decode_text(data)
    limits.check_text(text, path=source_path or None)
    b = DocumentBuilder(source_path, "txt")
    b.meta.encoding = encoding
    for kind, payload in recover_blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if kind == "table":
            # a table rebuilt from text (tabs, pipes, one cell per line, spaced rows)
            b.add_table(payload, style={"flattened": True})
        else:
            b.add_paragraph(payload)
    return b.build(doc_id)
