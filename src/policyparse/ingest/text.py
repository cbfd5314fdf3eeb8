"""Plain text notices: UTF-8 (with or without BOM), GB18030/GBK, Big5, UTF-16."""
from __future__ import annotations

import re

from .. import limits
from ..errors import DecodeError
from ..model import Document, DocumentBuilder
from .layout import recover_blocks

# Tried in order after the BOMs; GB18030 is a superset of GB2312 and GBK.
ENCODINGS = ("utf-8", "gb18030", "big5")


# A few undecodable bytes in an otherwise clean decoding are damage (a truncated
# download, one flipped byte), not another encoding: replaced, with a warning.
MAX_BAD_BYTES = 16
MAX_BAD_SHARE = 0.001

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes as text; returns (text, encoding). ``declared`` (an HTML charset,
    say) is tried first, widened to its superset (gb2312/gbk → gb18030)."""
    text, encoding, _ = decode_text_checked(data, declared)
    return text, encoding


def decode_text_checked(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): the decoding that tells the truth. BOMs first; UTF-16
    and UTF-32 without a BOM recognised from their shape; then strict UTF-8, GB18030
    and Big5; a few bad bytes replaced with a warning; charset detection (with its
    confidence) for the rest; mojibake (UTF-8 read as Latin-1/CP1252 and saved again,
    a Shift-JIS or other non-Chinese encoding) named in a warning."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            codec = "utf-8" if enc == "utf-8-sig" else enc
            name = enc.rsplit("-", 1)[0] if enc.startswith("utf-16") else enc
            return data[len(bom):].decode(codec, errors="replace"), name, []
    wide = _wide_unicode(data)
    if wide:
        text, enc = wide
        return text, enc, [f"decoded as {enc} without a byte-order mark"]
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
                return data.decode("big5"), "big5", []
            except UnicodeDecodeError:
                pass
            other = _detect(data)
            if other is not None and other[1] not in ("gb18030", "gbk", "gb2312", "big5"):
                return other[0], other[1], [f"the text does not read as Chinese in GB18030; decoded as "
                                            f"{other[1]} (charset detection), it may be mojibake"]
            return text, enc, ["the text decodes as GB18030 but does not read as Chinese "
                               "(another encoding?): it may be mojibake"]
        return _repair_mojibake(text, enc)
    # not one clean decoding: a few bad bytes in UTF-8 or GB18030 are damage
    best = None
    for enc in ("utf-8", "gb18030"):
        damaged = _decode_damaged(data, enc, int(max(MAX_BAD_BYTES, len(data) * MAX_BAD_SHARE)))
        if damaged is not None and (best is None or damaged[1] < best[2]):
            best = (damaged[0], enc, damaged[1])
    if best is not None and (best[1] != "gb18030" or _plausible_gb(best[0].replace("\ufffd", ""))):
        text, enc, bad = best
        return text, enc, [f"{bad} undecodable byte sequence(s) replaced by U+FFFD ({enc})"]
    other = _detect(data)
    if other is None:
        raise DecodeError("cannot decode the text as UTF-8, GB18030 or Big5, and charset "
                          "detection found no encoding")
    text, enc, confidence = other
    return text, enc, [f"decoded as {enc} by charset detection (confidence {confidence:.2f})"]


def _decode_damaged(data: bytes, enc: str, max_bad: int) -> tuple[str, int] | None:
    """``data`` decoded with each bad sequence replaced by U+FFFD, or None past
    ``max_bad``. In a two-byte encoding a damaged lead byte leaves its trail byte to be
    read as a lead, garbling the rest of the line: after each error the decoder resumes
    where the next bytes read cleanly (skipping that orphan trail byte when it must)."""
    out: list[str] = []
    pos, bad = 0, 0
    while True:
        try:
            out.append(data[pos:].decode(enc))
            return "".join(out), bad
        except UnicodeDecodeError as e:
            bad += 1
            if bad > max_bad:
                return None
            out.append(data[pos:pos + e.start].decode(enc))
            out.append("\ufffd")
            resume = pos + e.end
            pos = min((resume, resume + 1), key=lambda p: (_garble(data[p:p + 48], enc), p))


def _garble(chunk: bytes, enc: str) -> int:
    """Replacement and private-use characters when ``chunk`` is decoded (a misaligned
    GB18030 reading is full of them)."""
    text = chunk.decode(enc, errors="replace")
    return sum(1 for ch in text[:-1] if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff")


def _detect(data: bytes) -> tuple[str, str, float] | None:
    """charset-normalizer's best guess, with a confidence (1 - its chaos measure)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - detection is a fallback only
        return None
    if best is None:
        return None
    return str(best), best.encoding, max(0.0, 1.0 - float(best.chaos))


def _readable_share(text: str) -> float:
    """How much of ``text`` is what Chinese notices are made of."""
    if not text:
        return 0.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    odd = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or "\ud800" <= ch <= "\udfff")
    return (ok - odd) / len(text)


def _wide_unicode(data: bytes) -> tuple[str, str] | None:
    """UTF-16/UTF-32 without a BOM: ASCII characters (newlines, digits) put NUL bytes
    at every other (or three in four) positions; refused as binary before."""
    sample = data[:4096]
    if b"\x00" not in sample or len(data) < 4:
        return None
    for enc, unit in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        if len(data) % unit:
            continue
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _readable_share(text) > 0.97:
            return text, enc.rsplit("-", 1)[0]
    return None


_LATIN_MOJIBAKE = re.compile("[\u00c0-\u00ff][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                             "\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


def _repair_mojibake(text: str, enc: str) -> tuple[str, str, list[str]]:
    """UTF-8 that was once read as Latin-1/CP1252 and saved again (通知 as é€šçŸ¥): when
    the text reads back as UTF-8 into Chinese, repaired with a warning."""
    if enc != "utf-8" or len(_LATIN_MOJIBAKE.findall(text[:20000])) < 4:
        return text, enc, []
    for wrong in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(wrong).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if sum(1 for ch in fixed if "\u4e00" <= ch <= "\u9fff") >= 2:
            return fixed, enc, [f"mojibake: UTF-8 text once read as {wrong.upper()} and saved again; "
                                "repaired"]
    return text, enc, ["the text looks like mojibake (UTF-8 read as Latin-1/CP1252) and could not "
                       "be repaired"]


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
    text, encoding, warnings = decode_text_checked(data)
    limits.check_text(text, path=source_path or None)
    b = DocumentBuilder(source_path, "txt")
    b.warnings.extend(warnings)
    b.meta.encoding = encoding
    for kind, payload in recover_blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if kind == "table":
            # a table rebuilt from text (tabs, pipes, one cell per line, spaced rows)
            b.add_table(payload, style={"flattened": True})
        else:
            b.add_paragraph(payload)
    return b.build(doc_id)
