"""The limits settings (policyparse.limits): defaults, overrides from the command line
and a file, the checks that run before the work, and the codes they raise."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from policyparse import limits
from policyparse.errors import LimitExceededError, UsageError
from policyparse.ingest import read_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def active():
    """Activate settings for one test and restore the previous ones after it."""
    saved = []

    def use(**values):
        saved.append(limits.activate(limits.DEFAULT.with_overrides(values)))

    yield use
    if saved:
        limits.activate(saved[0])


def test_overrides_parse_and_refuse_mistakes():
    lim = limits.DEFAULT.with_overrides(["timeout_s=2.5", "pages=10", "table-span=5"])
    assert (lim.timeout_s, lim.pages, lim.table_span) == (2.5, 10, 5)
    assert limits.DEFAULT.pages == 2000  # the defaults are untouched
    for bad in (["nope=1"], ["pages"], ["pages=ten"], ["pages=0"]):
        with pytest.raises(UsageError):
            limits.DEFAULT.with_overrides(bad)


def test_limits_file(tmp_path):
    f = tmp_path / "limits.yaml"
    f.write_text("pages: 3\nfile_mb: 1\n", encoding="utf-8")
    lim = limits.DEFAULT.with_overrides(limits.from_file(f))
    assert (lim.pages, lim.file_mb) == (3, 1)


def test_a_limit_is_named_in_the_failure(active):
    active(document_chars=100)
    with pytest.raises(LimitExceededError) as e:
        read_bytes(("关于开展检查的通知\n" + "检查工作。" * 50).encode(), "long.txt")
    assert e.value.code == "E117" and e.value.limit == "document_chars"
    assert "document_chars=100" in str(e.value) and "long.txt" in str(e.value)


def test_zip_checked_from_the_directory_before_inflating(active):
    active(zip_member_mb=1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b" " * (3 * 2**20))
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with pytest.raises(LimitExceededError) as e:
        limits.check_zip(zf)
    assert e.value.code == "E112"
    with pytest.raises(LimitExceededError):  # and a member that lies about its size
        limits.read_member(zf, "word/document.xml")


def test_xml_depth_and_dtd_are_refused_before_parsing(active):
    active(xml_depth=5)
    limits.check_xml_bytes(b"<a><b><c/></b></a>", part="ok")
    with pytest.raises(LimitExceededError) as e:
        limits.check_xml_bytes(b"<a>" * 6 + b"</a>" * 6, part="deep")
    assert e.value.code == "E113"
    with pytest.raises(LimitExceededError):
        limits.check_xml_bytes(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', part="dtd")


def test_rtf_groups_counted_with_escaped_braces(active):
    active(rtf_depth=3)
    limits.check_rtf(b"{\\rtf1 {a} \\{\\{\\{\\{ {b}}")
    with pytest.raises(LimitExceededError):
        limits.check_rtf(b"{\\rtf1 {{{{x}}}}}")


def test_cli_limit_options(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("关于开展检查的通知\n" + "检查工作。" * 100, encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT / "src")}
    import os

    env = {**os.environ, **env}
    bad = subprocess.run([sys.executable, "-m", "policyparse.cli", "run", str(src), "--out", str(tmp_path / "o"),
                          "-q", "--limit", "no_such_limit=3"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "unknown limit" in bad.stderr
    low = subprocess.run([sys.executable, "-m", "policyparse.cli", "run", str(src), "--out", str(tmp_path / "o"),
                          "-q", "--limit", "document_chars=50", "--allow-empty"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert low.returncode == 1, low.stderr  # published, with the file as a failure row
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "o" / "failures").to_pylist()
    assert [(r["code"], "document_chars" in r["message"]) for r in rows] == [("E117", True)]
