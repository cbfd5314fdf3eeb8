"""Inputs where the data lives: local paths and fsspec URLs.

An input may be a local path, a ``file://`` URL, or the URL of any filesystem
fsspec has a driver for (``s3://``, ``gs://``, ``abfs://``, ``hdfs://`` … once the
user installs that driver: s3fs, gcsfs, adlfs, pyarrow's HDFS; ``memory://`` is
built in). A ``file://`` URL is this machine's disk and is read as the local path
it names, so a run over ``file:///data/notices`` gives the same tables, with the
same ``source_path`` values, as a run over ``/data/notices``. Any other URL is
listed, hashed and read through fsspec, and its files keep their URLs as
``source_path``.

OUT stays local (a folder or a ``file://`` URL): publishing a run switches every
table at one instant with ``rename(2)`` of a folder and a symlink
(export/parquet.py), which object stores do not offer (their "rename" is a copy
and a delete, object by object), so an OUT on one is refused with a usage error
rather than published non-atomically.
"""
from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

from .errors import UsageError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
LOCAL_PROTOCOLS = ("file",)


def is_url(name: str | os.PathLike) -> bool:
    """Whether ``name`` is written as a URL (``scheme://…``), not a plain path."""
    return isinstance(name, str) and bool(_URL.match(name))


def protocol(url: str) -> str:
    return url.split("://", 1)[0].lower()


def local_path_of(name: str) -> str | None:
    """The local path a plain path or a ``file://`` URL names; None for another URL."""
    if not is_url(name):
        return name
    if protocol(name) not in LOCAL_PROTOCOLS:
        return None
    parts = urllib.parse.urlsplit(name)
    if parts.netloc not in ("", "localhost"):
        raise UsageError(f"{name}: a file:// URL names this machine's disk (file:///path), "
                         f"not host {parts.netloc}; nothing was published")
    return urllib.parse.unquote(parts.path)


def is_remote(name: str) -> bool:
    """A URL of a filesystem other than this machine's disk (read through fsspec)."""
    return is_url(name) and local_path_of(name) is None


def _fs(url: str):
    """(filesystem, path) for ``url``; a missing driver is a usage error that names it."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as e:
        raise UsageError(f"cannot open {url}: {e} (each storage needs its fsspec driver: s3fs "
                         "for s3://, gcsfs for gs://, adlfs for abfs://); nothing was published") from e


def exists(name: str) -> bool:
    """Whether an input path or URL exists."""
    local = local_path_of(name)
    if local is not None:
        return os.path.exists(local)
    fs, path = _fs(name)
    try:
        return bool(fs.exists(path))
    except OSError:
        return False


def list_files(url: str, skip_extensions: set[str] | frozenset[str]) -> list[str] | None:
    """The files under a remote ``url`` (itself when it is a file) as URLs, sorted;
    hidden names (a leading dot, in any folder below ``url``) and ``skip_extensions``
    left out, as a local folder walk does. None when nothing is there."""
    fs, root = _fs(url)
    if not fs.exists(root):
        return None
    if fs.isfile(root):
        return [url]
    root = root.rstrip("/")
    out = []
    for path in fs.find(root):
        rel = path[len(root):].lstrip("/") if path.startswith(root) else path
        parts = rel.split("/")
        if any(p.startswith(".") for p in parts):
            continue
        if os.path.splitext(parts[-1])[1].lower() in skip_extensions:
            continue
        out.append(fs.unstrip_protocol(path))
    return sorted(out)


def read_bytes(name: str) -> bytes:
    """The bytes of an input file, local or remote; OSError when it cannot be read."""
    local = local_path_of(name)
    if local is not None:
        return Path(local).read_bytes()
    fs, path = _fs(name)
    try:
        with fs.open(path, "rb") as fh:
            return fh.read()
    except OSError:
        raise
    except Exception as e:  # noqa: BLE001 - a driver's own error type: an unreadable input
        raise OSError(f"{type(e).__name__}: {e}") from e


def out_folder(out: str | os.PathLike) -> Path:
    """OUT as a local folder: a path, or a ``file://`` URL stripped to its path."""
    name = os.fspath(out)
    local = local_path_of(name)
    if local is None:
        raise UsageError(
            f"OUT must be a local folder or a file:// URL, not {name}: publishing a run renames a "
            "folder and a symlink atomically, which object stores cannot do; write OUT locally "
            "(or to a mounted shared filesystem) and copy the published tables; nothing was published")
    return Path(local)
