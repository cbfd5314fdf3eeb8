"""No traffic at run time (issue 10): the whole pipeline over a small batch (a scanned
page read by OCR with rapidocr + onnxruntime, a web page full of external scripts,
frames, images and style sheets, a DOCX, a text) makes no network attempt.

Two witnesses:
* Python: a ``sitecustomize`` on PYTHONPATH installs an audit hook (inherited by the
  forked workers) that records every Internet socket, name lookup and connect into a
  file and then makes it fail; the test reads the file. A control run proves the hook
  sees an attempt.
* Native code: ``strace -f`` of the whole process tree, network system calls only.
  onnxruntime's compiled OneDS telemetry resolved mobile.events.data.microsoft.com
  from a C++ thread during OCR, invisible to Python; policyparse sets
  ORT_DISABLE_TELEMETRY=1 before the OCR runtime loads (ingest/pdf_scan.py and every
  worker), and this test runs without it in the environment to prove that.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
SCAN = ROOT / "corpus" / "renderings" / "scan" / "000_3b1496d5f7dcc5e1.pdf"

SITECUSTOMIZE = '''
import os, sys, socket

_LOG = os.environ.get("POLICYPARSE_NET_LOG")
_INET = {socket.AF_INET, socket.AF_INET6}
_WATCHED = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
            "socket.gethostbyaddr", "socket.getnameinfo", "urllib.Request", "http.client.connect"}


def _record(event, args):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {event} {args!r}\\n")


def _hook(event, args):
    if not _LOG:
        return
    if event == "socket.__new__":
        if args[1] in _INET:
            _record(event, args)
            raise OSError("network disabled by the test")
    elif event in ("socket.connect", "socket.sendto", "socket.bind"):
        if isinstance(args[1], tuple):  # an Internet address, not a Unix socket path
            _record(event, args)
            raise OSError("network disabled by the test")
    elif event in _WATCHED:
        _record(event, args)
        raise OSError("network disabled by the test")


sys.addaudithook(_hook)
'''


def _one_page_scan(dest: Path) -> None:
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(SCAN))
    new = pdfium.PdfDocument.new()
    new.import_pages(src, [0])
    new.save(str(dest))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    base = tmp_path_factory.mktemp("nonet")
    site = base / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    inputs = base / "in"
    inputs.mkdir()
    _one_page_scan(inputs / "scan.pdf")
    shutil.copy(ROOT / "corpus" / "seeds" / "000_3b1496d5f7dcc5e1.txt", inputs / "notice.txt")
    shutil.copy(hf.GOOD_DOCX, inputs / "notice.docx")
    (inputs / "page.html").write_bytes(hf.html_scripts_and_frames())
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT / "src")])
    env["POLICYPARSE_NET_LOG"] = str(base / "attempts.log")
    return base, inputs, env


def test_the_hook_sees_an_attempt(sandbox):
    base, _, env = sandbox
    log = base / "control.log"
    out = subprocess.run([sys.executable, "-c", "import socket\ntry:\n socket.getaddrinfo('example.com', 80)\n"
                          "except OSError as e:\n print('blocked', e)"],
                         env={**env, "POLICYPARSE_NET_LOG": str(log)}, capture_output=True, text=True, timeout=60)
    assert "blocked" in out.stdout and "socket.getaddrinfo" in log.read_text()


def _run(base: Path, inputs: Path, env: dict, out: str, prefix: list[str]) -> subprocess.CompletedProcess:
    cmd = prefix + [sys.executable, "-m", "policyparse.cli", "run", str(inputs), "--out", str(base / out), "-q"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def test_whole_pipeline_with_ocr_makes_no_python_network_attempt(sandbox):
    base, inputs, env = sandbox
    done = _run(base, inputs, env, "out", [])
    assert done.returncode == 0, done.stderr
    log = base / "attempts.log"
    assert not log.exists() or not log.read_text().strip(), log.read_text()
    docs = pq.read_table(base / "out" / "documents").to_pylist()
    assert len(docs) == 4
    scan = next(d for d in docs if d["source_path"].endswith("scan.pdf"))
    assert scan["n_chars"] > 100  # the page was read by OCR, not skipped


def test_no_network_system_call_from_any_process(sandbox):
    """strace sees native code too (onnxruntime's telemetry thread)."""
    strace = shutil.which("strace")
    if strace is None:
        if os.environ.get("POLICYPARSE_REQUIRE_STRACE"):
            pytest.fail("strace is required here (POLICYPARSE_REQUIRE_STRACE) but not installed")
        pytest.skip("strace is not installed (scripts/setup.sh --dev installs it): native "
                    "network calls not checked here; the Python-level test above still ran")
    base, inputs, env = sandbox
    trace = base / "strace.log"
    done = _run(base, inputs, env, "out_traced",
                [strace, "-f", "-qq", "-e", "trace=%network", "-o", str(trace)])
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"ptrace is not permitted in this container: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    lines = trace.read_text().splitlines()
    inet = [l for l in lines if re.search(r"AF_INET6?\b|AF_NETLINK|sin_port|sin6_port", l)]
    assert not inet, "\n".join(inet[:10])
    assert len(pq.read_table(base / "out_traced" / "documents")) == 4
