"""Child processes that never outlive their parent, and telling a live process from a gone one.

Shared by the batch's workers (policyparse.workers) and the long-lived LibreOffice of each
worker (ingest/doc.py): a run killed with SIGKILL must leave no worker and no office behind,
and the folders of a killed process are swept by the next one, which needs to know whether
the pid in a folder's name still runs. (ingest/uno_bridge.py keeps its own two lines: it runs
under the system Python, outside this package.)
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None) -> None:
    """Linux: the kernel kills this process when its parent dies (even by SIGKILL). Usable
    as a ``preexec_fn``. With ``parent_pid``, exit at once if the parent already died before
    the request took effect."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - best effort: the caller still cleans up without it
        return
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (dead, not yet reaped: a container's init may never
    reap an orphan) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


__all__ = ["die_with_parent", "pid_alive"]
