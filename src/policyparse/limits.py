"""What the pipeline refuses: every resource limit in one settings object.

A notice is a few pages of text and a table or two. Files that claim far more (a ZIP
member that inflates a thousand-fold, a table cell spanning a million columns, a scan
declared 200 inches wide, a 90 MB line) are hostile or broken, and reading them as if
they were real would cost gigabytes or hours. Each limit below is checked *before* the
work it guards (from a ZIP directory, a page's declared size, a span attribute), and
exceeding one is a coded failure (:class:`LimitExceededError` and its subclasses, E11x)
that names the limit, so ``--limit NAME=VALUE`` can raise it for a file that is real.

The active settings are process-wide (:func:`current`): the batch sets them in each
worker (:func:`activate`) and the readers read them, so no reader signature changes.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable

from .errors import LimitExceededError, UsageError


@dataclass(frozen=True)
class Limits:
    """Defaults sized for real notices with a wide margin (the largest corpus file is a
    few hundred KB and a 20-page scan); each one names what it protects."""

    # --- the worker (batch executors) -------------------------------------------------
    timeout_s: float = 900.0          # wall clock for one document: a backstop for hangs, long enough
    #                                   for OCR of a 20-page scan on a loaded CPU (every known hostile
    #                                   kind is stopped by a limit below within seconds)
    memory_mb: int = 1536             # resident memory of one worker (parent watchdog, E404)
    address_space_mb: int = 4096      # extra virtual memory a worker may map (RLIMIT_AS over its start)
    # --- files and containers ---------------------------------------------------------
    file_mb: int = 200                # one input file
    zip_member_mb: int = 64           # one ZIP member, decompressed (DOCX/OFD parts)
    zip_total_mb: int = 256           # all ZIP members together, decompressed
    zip_ratio: int = 100              # decompressed / compressed size of a member over 1 MB
    zip_members: int = 10_000         # entries in one ZIP directory
    xml_depth: int = 256              # element nesting of any XML part
    # --- layout -----------------------------------------------------------------------
    pages: int = 2000                 # pages of one PDF or OFD
    page_megapixels: int = 60         # one page rendered at OCR resolution (A0 at 200 dpi ~ 60)
    table_cells: int = 250_000        # rows × columns of one table grid
    table_span: int = 1000            # one cell's colspan/rowspan/gridSpan/gridBefore
    nesting_depth: int = 40           # tables inside tables
    numbering_start: int = 100_000    # a list's start value (Word numbering, <ol start>)
    glyphs_per_run: int = 100_000     # OFD DeltaX entries / glyphs of one text run
    rtf_depth: int = 512              # {group} nesting of an RTF file (LibreOffice converts it)
    # --- text -------------------------------------------------------------------------
    line_chars: int = 200_000         # characters of one line
    document_chars: int = 5_000_000   # characters of one document

    def check(self, name: str, value: float, what: str, *, path: str | None = None,
              error: type[LimitExceededError] | None = None) -> None:
        """Raise a coded failure naming ``name`` when ``value`` exceeds it."""
        limit = getattr(self, name)
        if value > limit:
            cls = error or LIMIT_ERRORS.get(name, LimitExceededError)
            raise cls(f"{what}: {value:,.0f} exceeds the limit {name}={limit:,} "
                      f"(raise it with --limit {name}=N if the file is real)", path=path, limit=name)

    def with_overrides(self, overrides: Iterable[str] | dict | None) -> "Limits":
        """``["timeout_s=30", "pages=50"]`` or a mapping: a copy with those values."""
        if not overrides:
            return self
        items = overrides.items() if isinstance(overrides, dict) else (_split(o) for o in overrides)
        known = {f.name: f.type for f in fields(self)}
        changes = {}
        for name, value in items:
            name = str(name).strip().replace("-", "_")
            if name not in known:
                raise UsageError(f"unknown limit {name!r}; the limits are: {', '.join(sorted(known))}")
            try:
                number = float(value) if known[name] in (float, "float") else int(str(value).replace("_", ""))
            except ValueError:
                raise UsageError(f"limit {name} needs a number, not {value!r}") from None
            if number <= 0:
                raise UsageError(f"limit {name} must be positive, not {value!r}")
            changes[name] = number
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _split(item: str) -> tuple[str, str]:
    name, sep, value = str(item).partition("=")
    if not sep:
        raise UsageError(f"--limit takes NAME=VALUE, not {item!r}")
    return name, value.strip()


def from_file(path: str | Path) -> dict:
    """A YAML (or JSON) mapping of limit names to values, for ``--limits-file``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise UsageError(f"cannot read the limits file {path}: {e}") from None
    if not isinstance(data, dict):
        raise UsageError(f"the limits file {path} must be a mapping of NAME: VALUE")
    return data


DEFAULT = Limits()
_active: Limits = DEFAULT


def current() -> Limits:
    """The settings in force in this process (a worker's, set by the batch)."""
    return _active


def activate(limits: Limits | None) -> Limits:
    """Make ``limits`` the settings of this process; returns the previous ones."""
    global _active
    previous, _active = _active, (limits or DEFAULT)
    return previous


# ----------------------------------------------------------------------------- errors
# One code per family, so a failures table groups them; the message names the limit.


class FileTooLargeError(LimitExceededError):
    code = "E111"


class ZipBombError(LimitExceededError):
    code = "E112"


class XmlLimitError(LimitExceededError):
    """Too deep, or a DTD / entity declaration (never expanded, always refused)."""

    code = "E113"


class PageLimitError(LimitExceededError):
    code = "E114"


class TableLimitError(LimitExceededError):
    code = "E115"


class NestingLimitError(LimitExceededError):
    code = "E116"


class TextLimitError(LimitExceededError):
    code = "E117"


LIMIT_ERRORS: dict[str, type[LimitExceededError]] = {
    "file_mb": FileTooLargeError,
    "zip_member_mb": ZipBombError, "zip_total_mb": ZipBombError, "zip_ratio": ZipBombError,
    "zip_members": ZipBombError,
    "xml_depth": XmlLimitError,
    "pages": PageLimitError, "page_megapixels": PageLimitError,
    "table_cells": TableLimitError, "table_span": TableLimitError,
    "numbering_start": TableLimitError, "glyphs_per_run": PageLimitError,
    "nesting_depth": NestingLimitError, "rtf_depth": NestingLimitError,
    "line_chars": TextLimitError, "document_chars": TextLimitError,
}


# ----------------------------------------------------------------------------- checks


def check_zip(zf, *, path: str | None = None) -> None:
    """Refuse a ZIP bomb from its central directory, before a byte is inflated: the
    declared sizes of every member (a lying header is caught again while reading by
    :func:`read_member`), their sum and each member's compression ratio."""
    lim = current()
    infos = zf.infolist()
    lim.check("zip_members", len(infos), "ZIP entries", path=path)
    total = 0
    for info in infos:
        size = info.file_size
        lim.check("zip_member_mb", size / 2**20, f"ZIP member {info.filename!r} inflates to (MB)", path=path)
        if size > 2**20:
            ratio = size / max(info.compress_size, 1)
            lim.check("zip_ratio", ratio, f"ZIP member {info.filename!r} compression ratio", path=path)
        total += size
    lim.check("zip_total_mb", total / 2**20, "ZIP members together inflate to (MB)", path=path)


def read_member(zf, name: str, *, path: str | None = None) -> bytes:
    """A member's bytes, read in chunks and stopped at the limit: a local header may
    claim a smaller size than the stream actually inflates to."""
    cap = current().zip_member_mb * 2**20
    out = bytearray()
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            out += chunk
            if len(out) > cap:
                current().check("zip_member_mb", len(out) / 2**20,
                                f"ZIP member {name!r} inflates to more than (MB)", path=path)
    return bytes(out)


def safe_xml_parser(**kwargs):
    """The one lxml parser for untrusted XML parts: no DTD loading, no entity expansion,
    no network, no huge-tree mode (libxml2's own depth and size guards stay on)."""
    from lxml import etree

    opts = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                dtd_validation=False)
    opts.update(kwargs)
    return etree.XMLParser(**opts)


def check_xml_bytes(data: bytes, *, part: str, path: str | None = None) -> None:
    """Refuse a DTD (the door to XXE and billion-laughs) before parsing, and an XML part
    nested deeper than ``xml_depth`` (counted in one linear pass over the tags)."""
    if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]:
        raise XmlLimitError(f"XML part {part} declares a DTD or entities (never expanded: refused)",
                            path=path, limit="xml_depth")
    depth = max_depth = 0
    lim = current().xml_depth
    i = data.find(b"<")
    n = len(data)
    while 0 <= i < n - 1:
        c = data[i + 1]
        if c == 0x2F:  # </
            depth -= 1
        elif c not in (0x3F, 0x21):  # not <? or <!
            end = data.find(b">", i)
            if end < 0:
                break
            if data[end - 1] != 0x2F:  # not self-closing
                depth += 1
                if depth > max_depth:
                    max_depth = depth
                    if max_depth > lim:
                        current().check("xml_depth", max_depth, f"XML part {part} nesting depth", path=path)
            i = data.find(b"<", end)
            continue
        i = data.find(b"<", i + 1)


def check_rtf(data: bytes, *, path: str | None = None) -> None:
    """RTF group nesting, counted before LibreOffice sees it (deep groups cost it gigabytes)."""
    depth = 0
    lim = current().rtf_depth
    # escaped braces (\{ \}) are text: drop them first, then count in C-speed chunks
    clean = data.replace(b"\\\\", b"").replace(b"\\{", b"").replace(b"\\}", b"")
    for i, token in enumerate(clean.split(b"{")):
        if i:
            depth += 1
            if depth > lim:
                current().check("rtf_depth", depth, "RTF group nesting", path=path)
        depth -= token.count(b"}")


def check_text(text: str, *, path: str | None = None) -> None:
    """Characters per document and per line (a one-line 90 MB file), linear."""
    lim = current()
    lim.check("document_chars", len(text), "characters in the document", path=path)
    if len(text) > lim.line_chars:
        longest = max((len(line) for line in text.splitlines()), default=0)
        lim.check("line_chars", longest, "characters in one line", path=path)


__all__ = ["Limits", "DEFAULT", "current", "activate", "from_file", "check_zip", "read_member",
           "safe_xml_parser", "check_xml_bytes", "check_text", "LIMIT_ERRORS"]
