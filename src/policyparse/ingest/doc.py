"""Legacy Word (.doc, OLE2), WPS and RTF notices: LibreOffice converts, read_docx reads.

Writing a binary-Word parser is not worth it when LibreOffice reads every
variant (Word 97-2003, WPS Office, RTF saved as .doc). Each conversion runs
headless with its own throw-away profile directory, so parallel workers never
share LibreOffice's user installation (a shared profile deadlocks or fails
with "user installation could not be completed"), and under a timeout, so a
file that hangs the converter costs one failure row, not a stuck batch.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import (CorruptFileError, EncryptedFileError, MissingDependencyError,
                      UnsupportedFormatError)
from ..model import Document
from .docx import read_docx

CONVERT_TIMEOUT_S = 120
SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = ("LibreOffice is needed to read .doc/.wps files: install it with "
                "`apt-get install libreoffice-writer-nogui` (Debian/Ubuntu) or "
                "`brew install --cask libreoffice` (macOS), and make sure `soffice` is on PATH")


def find_soffice() -> str | None:
    """The LibreOffice binary: $POLICYPARSE_SOFFICE, else soffice/libreoffice on PATH."""
    env = os.environ.get("POLICYPARSE_SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_docx(data: bytes, suffix: str = ".doc", *, timeout: float = CONVERT_TIMEOUT_S,
                    source_path: str = "") -> bytes:
    """The DOCX bytes LibreOffice writes for ``data``."""
    soffice = find_soffice()
    if soffice is None:
        raise MissingDependencyError(INSTALL_HINT, path=source_path or None)
    with tempfile.TemporaryDirectory(prefix="policyparse-lo-", ignore_cleanup_errors=True) as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / f"input{suffix}"
        src.write_bytes(data)
        outdir = tmpdir / "out"
        profile = (tmpdir / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--nolockcheck", "--nodefault", "--nofirststartwizard",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env={**os.environ, "HOME": tmp}, start_new_session=True)
        except OSError as e:
            raise MissingDependencyError(f"cannot run {soffice}: {e}. {INSTALL_HINT}",
                                         path=source_path or None) from e
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            # soffice forks soffice.bin: end the whole process group it started
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.communicate()
            raise CorruptFileError(f"LibreOffice did not convert the file within {timeout:.0f} s",
                                   path=source_path or None) from e
        out = outdir / "input.docx"
        if not out.is_file() or out.stat().st_size == 0:
            msg = (stderr or stdout or b"").decode("utf-8", "replace").strip()
            if "password" in msg.lower():
                raise EncryptedFileError("a password-protected Word document",
                                         path=source_path or None)
            raise CorruptFileError("LibreOffice could not read the file as a Word document"
                                   + (f": {msg[:200]}" if msg else ""), path=source_path or None)
        return out.read_bytes()


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _stream_name(name: str) -> bytes:
    return name.encode("utf-16-le")


def check_ole2(data: bytes, source_path: str = "") -> None:
    """Refuse an OLE2 file LibreOffice would 'read' as plain text: a damaged header,
    an encrypted Office package, or a compound file that holds no Word text.

    LibreOffice falls back to its text filter on a file it cannot parse, which
    turns garbage into a page of mojibake instead of an error. Word and WPS Office
    keep their text in a "WordDocument" stream, Microsoft Works in "CONTENTS"."""
    where = source_path or None
    if len(data) < 512:
        raise CorruptFileError("a truncated Word 97-2003 file (shorter than its header)", path=where)
    byte_order = data[0x1C:0x1E]
    sector_shift = int.from_bytes(data[0x1E:0x20], "little")
    mini_shift = int.from_bytes(data[0x20:0x22], "little")
    if byte_order != b"\xfe\xff" or sector_shift not in (9, 12) or mini_shift != 6:
        raise CorruptFileError("a damaged Word 97-2003 file (invalid compound-file header)", path=where)
    dir_start = int.from_bytes(data[0x30:0x34], "little")
    if dir_start < 0xFFFFFFFA and (dir_start + 1) << sector_shift >= len(data):
        # the directory sector lies past the end of the bytes: the file was cut short
        raise CorruptFileError("a truncated Word 97-2003 file (its directory is missing)", path=where)
    if _stream_name("EncryptedPackage") in data:
        raise EncryptedFileError("an encrypted (password-protected) Office document", path=where)
    if not any(_stream_name(n) in data for n in ("WordDocument", "CONTENTS")):
        raise UnsupportedFormatError(
            "an OLE2 compound file without a Word document stream (an Excel or PowerPoint file?)",
            path=where)


def read_doc(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    if data[:8] == OLE2_MAGIC:
        check_ole2(data, source_path)
    suffix = Path(source_path).suffix.lower() if source_path else ""
    if data[:5] == b"{\\rtf":
        suffix = ".rtf"
    elif suffix not in (".doc", ".wps", ".dot", ".wpt"):
        suffix = ".doc"
    docx = convert_to_docx(data, suffix, source_path=source_path)
    doc = read_docx(docx, source_path, doc_id=doc_id, ocr=ocr, source_format="doc")
    doc.meta.converted_by = "libreoffice"
    return doc
