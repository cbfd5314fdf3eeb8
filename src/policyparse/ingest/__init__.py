"""Ingest: every format into one :class:`~policyparse.model.Document`.

The format is detected from the bytes, not the file name (a ``.doc`` that is
really a DOCX, an ``.html`` saved as ``.txt``). ``FORMATS`` is the only format
table: format → extensions and a ``module:function`` reader, imported lazily so
an optional dependency (OCR, LibreOffice, OFD) can never break
``import policyparse``. Adding a format is one module, one row here and one
folder of test data.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import (CorruptFileError, EmptyFileError, FormatMismatchError, IngestError,
                      UnsupportedFormatError)
from ..model import Document


@dataclass(frozen=True)
class FormatSpec:
    name: str  # the documents.source_format value
    extensions: tuple[str, ...]
    reader: str  # "module:function" under policyparse.ingest


FORMATS: dict[str, FormatSpec] = {
    "txt": FormatSpec("txt", (".txt", ".text"), "text:read_text"),
    "html": FormatSpec("html", (".html", ".htm", ".shtml", ".xhtml"), "html:read_html"),
    "docx": FormatSpec("docx", (".docx", ".docm"), "docx:read_docx"),
    "doc": FormatSpec("doc", (".doc", ".wps"), "doc:read_doc"),
    "pdf": FormatSpec("pdf", (".pdf",), "pdf_text:read_pdf"),
    "ofd": FormatSpec("ofd", (".ofd",), "ofd:read_ofd"),
}

# extensions that are never notices: skipped silently when a folder is walked
IGNORED_EXTENSIONS = {".json", ".md", ".parquet", ".py", ".yaml", ".yml", ".csv", ".png",
                      ".jpg", ".jpeg", ".gif", ".css", ".js", ".log", ".DS_Store"}

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def content_hash(data: bytes) -> str:
    """The stable document id: the content, not the path (a moved file keeps its id)."""
    return hashlib.sha256(data).hexdigest()[:16]


def detect_format(data: bytes, name: str = "") -> str:
    """The format of ``data`` from its magic bytes; the extension only breaks ties."""
    if not data or not data.strip():
        raise EmptyFileError("the file is empty", path=name or None)
    head = data[:1024]
    if head.lstrip().startswith(b"%PDF") or b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as e:
            # a damaged central directory can also claim an unsupported ZIP version
            raise CorruptFileError(f"a damaged ZIP container: {e}", path=name or None) from e
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names or any(n.lower().endswith("ofd.xml") for n in names):
            return "ofd"
        raise UnsupportedFormatError(
            "a ZIP archive that is neither a DOCX (no word/document.xml) nor an OFD (no OFD.xml)",
            path=name or None)
    if data[:8] == OLE2_MAGIC:
        return "doc"  # Word 97-2003 and WPS files are OLE2 compound files
    if head[:5] == b"{\\rtf":
        return "doc"  # RTF saved as .doc: LibreOffice reads it too
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low or (b"<body" in low) or (b"<meta" in low and b"<" in low[:10]):
        return "html"
    if _is_html_fragment(data):
        return "html"
    if _looks_binary(data):
        raise UnsupportedFormatError("binary content of an unknown format", path=name or None)
    return "txt"


# A page's body without <html>/<body>: the content field a crawler or a CMS database stores
# (<p align="left">　　一、总体目标</p><p>…), exported as text. It opens with a block tag and
# closes several: plain text that merely mentions a tag does neither
_FRAGMENT_OPEN = re.compile(rb"<(?:p|div|span|table|tr|td|br|h[1-6]|section|article|font|strong|center|ul|ol|li)\b"
                            rb"[^<>]{0,300}>", re.IGNORECASE)
_FRAGMENT_CLOSE = re.compile(rb"</(?:p|div|span|td|tr|table|h[1-6]|li|font|strong|section|article)\s*>|<br\s*/?>",
                             re.IGNORECASE)
FRAGMENT_MIN_CLOSING_TAGS = 3


def _is_html_fragment(data: bytes) -> bool:
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return (bool(_FRAGMENT_OPEN.match(start))
            and len(_FRAGMENT_CLOSE.findall(data[:65536])) >= FRAGMENT_MIN_CLOSING_TAGS)


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False  # UTF-16 text: half its bytes are control bytes
    if b"\x00" in sample:
        from .text import _wide_unicode

        if _wide_unicode(data):
            return False  # UTF-16/32 without a BOM
    if b"\x00" in sample and not (sample[:2] in (b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.05


# Extensions that promise a binary package: bytes that turn out to be plain text or a
# web page under one of these are a mislabelled or truncated download, not a notice to
# guess at (a .doc may honestly hold RTF or HTML: Word saves both under that name).
PACKAGE_EXTENSIONS = {".docx": "docx", ".docm": "docx", ".pdf": "pdf", ".ofd": "ofd",
                      ".doc": "doc", ".wps": "doc"}


def check_extension(fmt: str, name: str) -> None:
    """Refuse an Office extension on bytes that are no such package (E108)."""
    ext = Path(name).suffix.lower() if name else ""
    claimed = PACKAGE_EXTENSIONS.get(ext)
    if claimed is None or fmt not in ("txt", "html"):
        return
    if claimed == "doc" and fmt == "html":
        return
    raise FormatMismatchError(f"named {ext} but the content is {'plain text' if fmt == 'txt' else 'HTML'}, "
                              f"not a {claimed.upper()} file (renamed or truncated?)", path=name or None)


def reader_for(fmt: str):
    spec = FORMATS.get(fmt)
    if spec is None:
        raise UnsupportedFormatError(f"no reader for format {fmt!r}")
    module, func = spec.reader.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)


def read_bytes(data: bytes, source_path: str = "", *, ocr: bool = True) -> Document:
    """Read one file's bytes into a Document (header and extraction not yet run)."""
    fmt = detect_format(data, source_path)
    check_extension(fmt, source_path)
    ext = Path(source_path).suffix.lower() if source_path else ""
    named = next((f for f, spec in FORMATS.items() if ext in spec.extensions), None)
    if named is not None and named != fmt and not (named == "txt" and fmt == "html"):
        mismatch = f"named {ext} but the content is {fmt.upper()}: read as {fmt.upper()}"
    else:
        mismatch = None
    if fmt == "doc" and data[:5] == b"{\\rtf":
        from ..limits import check_rtf

        check_rtf(data, path=source_path or None)
    reader = reader_for(fmt)
    try:
        doc = reader(data, source_path, doc_id=content_hash(data), ocr=ocr)
    except IngestError as e:
        e.path = e.path or source_path or None
        raise
    if mismatch:
        doc.warnings.append(mismatch)
    return doc


def read_file(path: str | Path, *, ocr: bool = True) -> Document:
    path = Path(path)
    return read_bytes(path.read_bytes(), str(path), ocr=ocr)
