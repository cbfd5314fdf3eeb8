"""Helpers for tests that kill a `policyparse run` child process on purpose."""
from __future__ import annotations

import signal
import subprocess
import time


def kill_mid_extraction(proc: subprocess.Popen, within_s: float) -> str:
    """SIGKILL ``proc`` (a run started with ``stderr=PIPE, text=True`` and progress lines)
    once it has reported some files done, i.e. in the middle of extraction; returns what
    it printed until then, for the caller to assert on."""
    seen = ""
    deadline = time.time() + within_s
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "files," in line and not line.startswith("policyparse: 0/"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return seen


def kill_when_printed(proc: subprocess.Popen, marker: str, within_s: float) -> str:
    """SIGKILL ``proc`` (started with ``stderr=PIPE, text=True``) once it has printed a line
    with ``marker`` (a test's hook inside the step it means to interrupt), or after
    ``within_s``; returns what it printed until then, for the caller to assert on."""
    seen = ""
    deadline = time.time() + within_s
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if marker in line or (not line and proc.poll() is not None):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return seen
