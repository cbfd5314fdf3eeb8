"""The UNO side of the long-lived .doc converter: a script run on its own, not a module of the package.

It runs under a Python that can ``import uno`` (LibreOffice's own: Debian's
``python3-uno`` is built for the system ``/usr/bin/python3`` only, so the package's
virtualenv usually cannot import it, and loading a second libpython into a
worker is not worth the risk). It imports nothing from policyparse.

It starts one headless LibreOffice listening on a private pipe, with its own
profile, as its child with ``PR_SET_PDEATHSIG``: when this bridge dies, by any
means, the kernel kills the office. The worker that started the bridge holds it
the same way, so a SIGKILL of the batch takes the whole chain down.

    argv[1]: JSON {"soffice": [argv...], "pipe": name, "connect_timeout": s}
    stdin  (one JSON object a line): {"in": "/abs/input.doc", "out": "/abs/output.docx"}
    stdout (one JSON object a line): {"ok": true} | {"error": "...", "dead": bool}

The first line written is ``{"ready": true, "office_pid": N}`` once connected, or
``{"error": ..., "dead": true}`` when the office did not start. ``dead`` says the
office is gone (the caller starts a new bridge); otherwise the file could not be
read. End of stdin (the worker closed it or died) stops the office and the bridge.
"""
import ctypes
import functools
import json
import os
import signal
import subprocess
import sys
import time

# LibreOffice exits with this code after creating a fresh profile, asking its
# launcher (oosplash, which we bypass to own the process) to start it again.
RESTART_EXIT_CODE = 81


def _reply(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _die_with_parent(parent_pid: int) -> None:
    """In the office's process before exec: killed when this bridge dies, also when the
    bridge died between the fork and the prctl (then the office never starts)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def _props(uno, **kw):
    out = []
    for k, v in kw.items():
        p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _start_office(argv):
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=functools.partial(_die_with_parent, os.getpid())
                            if sys.platform.startswith("linux") else None)


def _stop(office) -> None:
    if office.poll() is None:
        try:
            os.killpg(office.pid, signal.SIGKILL)
        except OSError:
            office.kill()
    office.wait()


def _connect(uno, argv, pipe_name, timeout):
    """Start the office and connect to it; (office, desktop) or (office, error text)."""
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    office = _start_office(argv)
    deadline = time.monotonic() + timeout
    restarts = 0
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            return office, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            pass
        rc = office.poll()
        if rc is not None:
            if rc == RESTART_EXIT_CODE and restarts < 3:
                restarts += 1
                office = _start_office(argv)
                continue
            return office, f"LibreOffice exited at start (exit status {rc})"
        if time.monotonic() > deadline:
            return office, f"LibreOffice did not accept a connection within {timeout:.0f} s"
        time.sleep(0.05)


def _office_gone(e: Exception, office) -> bool:
    """Whether a failed call failed because the office died (the caller restarts it),
    not because of the file. pyuno names its exception classes by their full UNO name
    (com.sun.star.lang.DisposedException), and a killed office may not be reaped yet
    when the broken bridge raises."""
    text = f"{type(e).__name__} {getattr(e, 'Message', '')}".lower()
    if "disposed" in text or office.poll() is not None:
        return True
    if "runtimeexception" in text or "bridge" in text:
        try:
            office.wait(timeout=1.0)
            return True
        except subprocess.TimeoutExpired:
            return False
    return False


def main() -> int:
    import uno

    conf = json.loads(sys.argv[1])
    office, desktop = _connect(uno, conf["soffice"], conf["pipe"], float(conf["connect_timeout"]))
    if isinstance(desktop, str):
        _stop(office)
        _reply({"error": desktop, "dead": True})
        return 1
    _reply({"ready": True, "office_pid": office.pid})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            doc = None
            try:
                doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["in"]), "_blank", 0,
                                                   _props(uno, Hidden=True, ReadOnly=True))
                if doc is None:
                    _reply({"error": "LibreOffice could not load the file", "dead": office.poll() is not None})
                    continue
                doc.storeToURL(uno.systemPathToFileUrl(req["out"]),
                               _props(uno, FilterName="MS Word 2007 XML", Overwrite=True))
                _reply({"ok": True})
            except Exception as e:  # noqa: BLE001 - every UNO failure becomes one reply
                dead = _office_gone(e, office)
                _reply({"error": f"{type(e).__name__}: {getattr(e, 'Message', '') or e}", "dead": dead})
                if dead:
                    return 1
            finally:
                if doc is not None:
                    try:
                        doc.close(True)
                    except Exception:  # noqa: BLE001 - a document the office already dropped
                        pass
    finally:
        # no desktop.terminate(): it can block on a hung office; the profile is thrown away
        _stop(office)
    return 0


if __name__ == "__main__":
    sys.exit(main())
