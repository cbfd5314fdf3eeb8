"""Legacy Word (.doc, OLE2), WPS and RTF notices: LibreOffice converts, read_docx reads.

Writing a binary-Word parser is not worth it when LibreOffice reads every
variant (Word 97-2003, WPS Office, RTF saved as .doc).

Starting LibreOffice costs seconds, converting a notice a tenth of that, so each
process keeps ONE office running (:class:`OfficeConverter`): a headless
``soffice --accept=pipe,...`` with its own throw-away profile (a shared profile
deadlocks or fails with "user installation could not be completed"), driven over
UNO by a small bridge script (``uno_bridge.py``) run with a Python that has
LibreOffice's ``uno`` module (the system one: Debian's ``python3-uno``). The
office is restarted when it dies, hangs past the per-file timeout (a file that
hangs it costs one failure row, not a stuck batch) or has converted
``OFFICE_MAX_CONVERSIONS`` files (its memory creeps up); it dies with its
process (``PR_SET_PDEATHSIG`` along worker → bridge → office, so even a
SIGKILL of the batch leaves no office behind) and is stopped, its profile
removed, when the process exits. Without a UNO-capable Python each file is
converted by a one-shot ``soffice --convert-to`` (``convert_to_docx``), as
before: same output, a LibreOffice start per file.
"""
from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ..errors import (CorruptFileError, EncryptedFileError, MissingDependencyError,
                      UnsupportedFormatError)
from ..model import Document
from ..processes import die_with_parent, pid_alive
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
                                    env={**os.environ, "HOME": tmp, "TMPDIR": tmp}, start_new_session=True)
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


# --------------------------------------------------------------------------- long-lived office

OFFICE_START_TIMEOUT_S = 60.0  # a cold start on a loaded machine takes a few seconds
OFFICE_MAX_CONVERSIONS = 200  # then a fresh office: LibreOffice's memory creeps up per document
WORKDIR_PREFIX = "policyparse-office-"
BRIDGE_EXIT_S = 5.0  # a bridge told to stop exits within this, or is killed
BRIDGE_SCRIPT = Path(__file__).with_name("uno_bridge.py")
log = logging.getLogger(__name__)


class _OfficeUnavailable(Exception):
    """The office could not be started here: the caller converts one-shot instead."""


def doc_timeout() -> float:
    """Seconds one file may take to convert: $POLICYPARSE_DOC_TIMEOUT, else CONVERT_TIMEOUT_S."""
    try:
        return float(os.environ.get("POLICYPARSE_DOC_TIMEOUT", "") or CONVERT_TIMEOUT_S)
    except ValueError:
        return CONVERT_TIMEOUT_S


def _imports_uno(python: str) -> bool:
    try:
        return subprocess.run([python, "-I", "-c", "import uno"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


_UNO_PYTHON: dict[str, str | None] = {}


def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno``: $POLICYPARSE_UNO_PYTHON (``none`` turns the
    long-lived office off), else this interpreter, the system python3 (Debian's
    python3-uno) or the Python LibreOffice bundles (Windows, macOS builds)."""
    env = os.environ.get("POLICYPARSE_UNO_PYTHON")
    if env is not None and env.strip().lower() in ("", "none", "0", "off"):
        return None
    if soffice in _UNO_PYTHON and env is None:
        return _UNO_PYTHON[soffice]
    program = Path(os.path.realpath(soffice)).parent
    candidates = [env] if env else [sys.executable, "/usr/bin/python3", str(program / "python"),
                                    str(program.parent / "Resources" / "python")]
    found = next((c for c in candidates if os.access(c, os.X_OK) and _imports_uno(c)), None)
    if env is None:
        _UNO_PYTHON[soffice] = found
    return found


def _office_argv(soffice: str, profile: Path, pipe: str) -> list[str]:
    """soffice.bin itself where it sits next to the soffice script, so that the process
    we start (and the kernel kills with its parent) is the office, not a launcher
    (oosplash) that forks it; elsewhere (macOS: soffice is the binary) soffice."""
    binary = Path(os.path.realpath(soffice)).with_name("soffice.bin")
    exe = str(binary) if binary.is_file() else soffice
    return [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
            "--norestore", "--nolockcheck", "--nodefault", "--nofirststartwizard",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]


def sweep_stale_workdirs(tmp: str | None = None) -> int:
    """Remove the work folders (profile included) of converters whose process is gone
    (a worker killed before it could clean up); the folder name carries the pid."""
    removed = 0
    root = Path(tmp or tempfile.gettempdir())
    for d in root.glob(WORKDIR_PREFIX + "*"):
        try:
            pid = int(d.name[len(WORKDIR_PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(d, ignore_errors=True)
            removed += 1
    return removed


class OfficeConverter:
    """One LibreOffice kept running for this process, driven through the UNO bridge.

    Not shared across processes (a forked child starts its own); calls from threads
    of one process take turns."""

    def __init__(self, soffice: str, uno_python: str):
        self.soffice, self.uno_python = soffice, uno_python
        self.owner = os.getpid()
        self.workdir: Path | None = None
        self.office_pid: int | None = None
        self.conversions = 0  # by the running office
        self.starts = 0
        self._proc: subprocess.Popen | None = None
        self._buf = b""
        self._n = 0
        self._lock = threading.Lock()

    # -- the processes
    def _start(self) -> None:
        if self.workdir is None:
            sweep_stale_workdirs()
            self.workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        pipe = f"policyparse-{os.getpid()}-{os.urandom(6).hex()}"
        conf = {"soffice": _office_argv(self.soffice, self.workdir / "profile", pipe), "pipe": pipe,
                "connect_timeout": OFFICE_START_TIMEOUT_S}
        try:
            self._proc = subprocess.Popen(
                # -I: the worker's PYTHONPATH/PYTHONHOME (a virtualenv's) must not reach LibreOffice's Python
                [self.uno_python, "-I", str(BRIDGE_SCRIPT), json.dumps(conf)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                # LibreOffice's own temp folders (lu*.tmp) go inside the work folder, which is
                # removed with the office; killed offices would leave them in /tmp otherwise
                env={**os.environ, "HOME": str(self.workdir), "TMPDIR": str(self._office_tmp())},
                start_new_session=True,
                # with this worker's pid: a worker killed between the fork and the prctl
                # would otherwise leave the bridge (and its office) running
                preexec_fn=functools.partial(die_with_parent, os.getpid())
                if sys.platform.startswith("linux") else None)
        except OSError as e:
            raise _OfficeUnavailable(f"cannot run {self.uno_python}: {e}") from e
        self._buf = b""
        reply = self._read_reply(OFFICE_START_TIMEOUT_S + 10)
        if not reply or not reply.get("ready"):
            self._stop()
            # a half-made profile must not poison the next try
            shutil.rmtree(self.workdir / "profile", ignore_errors=True)
            raise _OfficeUnavailable((reply or {}).get("error") or "LibreOffice did not start")
        self.office_pid = int(reply["office_pid"])
        self.conversions = 0
        self.starts += 1

    def _office_tmp(self) -> Path:
        tmp = self.workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        return tmp

    def _read_reply(self, timeout: float) -> dict | None:
        """The bridge's next reply; None after ``timeout`` s or when the bridge is gone."""
        import time

        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return {"error": "the LibreOffice bridge stopped", "dead": True}
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _stop(self) -> None:
        """Stop the office and the bridge. The office goes first (its process group),
        then the bridge, told by the end of its input, reaps it and exits; a bridge that
        does not within a few seconds is killed (the kernel then kills any office left,
        PR_SET_PDEATHSIG)."""
        proc, self._proc = self._proc, None
        if self.office_pid:
            try:
                os.killpg(self.office_pid, signal.SIGKILL)
            except OSError:
                pass
        self.office_pid = None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=BRIDGE_EXIT_S)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.wait()

    def close(self) -> None:
        """Stop the office and remove its profile (only in the process that owns it)."""
        if os.getpid() != self.owner:
            return
        with self._lock:
            self._stop()
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None

    # -- one file
    def convert(self, data: bytes, suffix: str, *, timeout: float, source_path: str = "") -> bytes:
        where = source_path or None
        with self._lock:
            for attempt in (1, 2):
                if self._proc is None:
                    self._start()
                self._n += 1
                src = self.workdir / f"in-{self._n}{suffix}"
                out = self.workdir / f"out-{self._n}.docx"
                src.write_bytes(data)
                try:
                    self._proc.stdin.write(json.dumps({"in": str(src), "out": str(out)}).encode() + b"\n")
                    self._proc.stdin.flush()
                    reply = self._read_reply(timeout)
                except (BrokenPipeError, OSError):
                    reply = {"error": "the LibreOffice bridge stopped", "dead": True}
                finally:
                    src.unlink(missing_ok=True)
                if reply is None:  # a hang: a fresh office for the next file
                    self._stop()
                    out.unlink(missing_ok=True)
                    raise CorruptFileError(f"LibreOffice did not convert the file within {timeout:.0f} s",
                                           path=where)
                if reply.get("ok"):
                    self.conversions += 1
                    if self.conversions >= OFFICE_MAX_CONVERSIONS:
                        self._stop()
                    docx = out.read_bytes() if out.is_file() else b""
                    out.unlink(missing_ok=True)
                    if not docx:
                        raise CorruptFileError("LibreOffice wrote no document for the file", path=where)
                    return docx
                out.unlink(missing_ok=True)
                message = str(reply.get("error", ""))
                if reply.get("dead"):
                    self._stop()
                    if attempt == 1:  # it may have died of something else: once more, fresh
                        continue
                    raise CorruptFileError(f"LibreOffice stopped while converting the file: {message[:200]}",
                                           path=where)
                if "password" in message.lower():
                    raise EncryptedFileError("a password-protected Word document", path=where)
                raise CorruptFileError("LibreOffice could not read the file as a Word document"
                                       + (f": {message[:200]}" if message else ""), path=where)
        raise AssertionError("unreachable")


_CONVERTER: OfficeConverter | None = None
_CONVERTER_BROKEN: set[str] = set()  # soffice paths whose office could not start here: one-shot
_CONVERTER_LOCK = threading.Lock()


def office_converter(soffice: str) -> OfficeConverter | None:
    """This process's converter, made on first use; None without a UNO-capable Python
    or after the office failed to start here."""
    global _CONVERTER
    with _CONVERTER_LOCK:
        if soffice in _CONVERTER_BROKEN:
            return None
        if _CONVERTER is None or _CONVERTER.owner != os.getpid() or _CONVERTER.soffice != soffice:
            if _CONVERTER is not None and _CONVERTER.owner == os.getpid():
                _CONVERTER.close()
            uno_python = find_uno_python(soffice)
            if uno_python is None:
                return None
            _CONVERTER = OfficeConverter(soffice, uno_python)
            _register_exit_cleanup()
        return _CONVERTER


_EXIT_REGISTERED: set[int] = set()


def _register_exit_cleanup() -> None:
    """Stop the office when this process ends: atexit for a normal interpreter exit,
    multiprocessing's finaliser for a pool worker (which leaves by os._exit)."""
    if os.getpid() in _EXIT_REGISTERED:
        return
    _EXIT_REGISTERED.add(os.getpid())
    atexit.register(close_office)
    try:
        from multiprocessing import util

        util.Finalize(None, close_office, exitpriority=50)
    except Exception:  # noqa: BLE001 - atexit still covers a plain process
        pass


def close_office() -> None:
    """Stop this process's office, if it runs, and remove its profile."""
    conv = _CONVERTER
    if conv is not None:
        conv.close()


def _forget_in_child() -> None:
    """A forked child must neither use nor kill its parent's office: it drops its copy
    of the handles (closing the child's copies of the pipes leaves the parent's open)
    and starts its own office when it needs one."""
    global _CONVERTER, _CONVERTER_BROKEN, _CONVERTER_LOCK
    _CONVERTER, _CONVERTER_BROKEN, _CONVERTER_LOCK = None, set(), threading.Lock()
    _EXIT_REGISTERED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def to_docx(data: bytes, suffix: str, *, source_path: str = "", timeout: float | None = None) -> bytes:
    """The DOCX of a .doc/.wps/RTF: through this process's long-lived office, or one-shot."""
    timeout = doc_timeout() if timeout is None else timeout
    soffice = find_soffice()
    if soffice is None:
        raise MissingDependencyError(INSTALL_HINT, path=source_path or None)
    conv = office_converter(soffice)
    if conv is not None:
        try:
            return conv.convert(data, suffix, timeout=timeout, source_path=source_path)
        except _OfficeUnavailable as e:
            log.warning("LibreOffice could not be kept running (%s); converting each file "
                        "with its own LibreOffice start", e)
            with _CONVERTER_LOCK:
                _CONVERTER_BROKEN.add(soffice)
            conv.close()
    return convert_to_docx(data, suffix, timeout=timeout, source_path=source_path)


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
    docx = to_docx(data, suffix, source_path=source_path)
    doc = read_docx(docx, source_path, doc_id=doc_id, ocr=ocr, source_format="doc")
    doc.meta.converted_by = "libreoffice"
    return doc
