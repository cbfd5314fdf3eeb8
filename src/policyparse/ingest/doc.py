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

from ..errors import CorruptFileError, EncryptedFileError, MissingDependencyError
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
    with tempfile.TemporaryDirectory(prefix="policyparse-lo-") as tmp:
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


def read_doc(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    suffix = Path(source_path).suffix.lower() if source_path else ""
    if data[:5] == b"{\\rtf":
        suffix = ".rtf"
    elif suffix not in (".doc", ".wps", ".dot", ".wpt"):
        suffix = ".doc"
    docx = convert_to_docx(data, suffix, source_path=source_path)
    doc = read_docx(docx, source_path, doc_id=doc_id, ocr=ocr, source_format="doc")
    doc.meta["converted_by"] = "libreoffice"
    return doc
