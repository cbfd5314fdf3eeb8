"""The bad-input suite (issue 10): hostile and broken files, built here, in ONE batch
beside good files, through the real command line in a subprocess.

Each kind must end as its coded failure (or, for the harmless ones, as a document),
the good files of the batch must give exactly the tables they give alone, and the run
must stay bounded: every document runs under a 60 s wall-clock limit (``--limit
timeout_s=60``, so a kind that needed longer would show up as E403, not its code), and
the peak resident memory of every process of the run (getrusage of the children, read
by a small wrapper process so earlier tests do not count) stays under 2 GB.
tests/test_bad_input.py holds the per-reader cases (empty, truncated, encrypted, ...)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
GOOD = [ROOT / "corpus" / "seeds" / "000_3b1496d5f7dcc5e1.txt",
        ROOT / "corpus" / "renderings" / "docx" / "001_2bc76009f1065234.docx",
        ROOT / "corpus" / "renderings" / "html" / "002_6cf0c48ced16b0a2.html"]
PEAK_LIMIT_MB = 2048
RUN_WRAPPER = """
import resource, subprocess, sys, time, json
t0 = time.monotonic()
rc = subprocess.run(sys.argv[1:]).returncode
print(json.dumps({"rc": rc, "seconds": time.monotonic() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_cli(*args: str, timeout: float = 600) -> dict:
    """``policyparse run ARGS`` in a subprocess: exit code, seconds, peak RSS (MB)."""
    cli = [sys.executable, "-m", "policyparse.cli", "run", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", RUN_WRAPPER, *cli], capture_output=True, text=True,
                         timeout=timeout, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["stderr"] = out.stderr
    return result


def _text(s: str, enc: str = "utf-8") -> bytes:
    return s.encode(enc)


NOTICE = ("关于开展安全生产检查的通知\n各有关单位：\n一、加强组织领导。牵头单位：区应急管理局。"
          "2024年6月底前完成。\n二、落实工作责任。责任单位：区财政局。每季度开展1次检查。\n"
          "XX区人民政府办公室\n2024年1月5日\n")

JAPANESE = "会議の開催について\n関係各位\nこのたび、安全点検を実施いたします。ご協力をお願い申し上げます。\n" * 3


def _damaged(text: str, enc: str) -> bytes:
    data = bytearray(text.encode(enc))
    data[len(data) // 3] = 0xFF  # one byte no encoding of Chinese has there
    return bytes(data)


# name -> (builder of the bytes, the expected code, or "doc": read as a document, or
# ("doc", text of the warning the document must carry))
KINDS: dict[str, tuple] = {
    "zip_bomb.docx": (hf.docx_zip_bomb, "E112"),
    "grid_span.docx": (hf.docx_grid_span, "E115"),
    "numbering_start.docx": (hf.docx_numbering_start, "E115"),
    "nested_600_tables.docx": (hf.docx_nested_tables, "E113"),
    "xxe.docx": (hf.docx_xxe, "E113"),
    "billion_laughs_styles.docx": (hf.docx_billion_laughs, "E113"),
    "billion_laughs_core.docx": (lambda: hf.docx_billion_laughs("docProps/core.xml"), "E113"),
    "path_traversal_duplicates.docx": (hf.docx_path_traversal_and_duplicates, "doc"),
    "macros_and_ole.docm": (hf.docm_with_macros, "doc"),
    "one_byte.docx": (lambda: b"x", "E108"),
    "plain_text_named.docx": (lambda: _text(NOTICE), "E108"),
    "html_named.pdf": (lambda: hf.html_page("<p>关于开展检查的通知</p>"), "E108"),
    "truncated.docx": (lambda: hf.GOOD_DOCX.read_bytes()[:3000], "E103"),
    "ofd_delta_bomb.ofd": (lambda: hf.ofd(delta="g 2000000000 1"), "E114"),
    "ofd_page_count.ofd": (lambda: hf.ofd(pages=5000), "E114"),
    "ofd_billion_laughs.ofd": (lambda: _ofd_with_entities(), "E113"),
    "span_bomb.html": (hf.html_span_bomb, "E115"),
    "nested_600_tables.html": (hf.html_nested_tables, "E116"),
    "page_50mb.html": (lambda: hf.html_page("<p>" + "检查工作。" * 10_500_000 + "</p>"), "E117"),
    "scripts_and_frames.html": (hf.html_scripts_and_frames, "doc"),
    "one_line_90mb.txt": (lambda: b"a" * (90 * 2**20), "E117"),
    "scan_200_inches_wide.pdf": (lambda: hf.pdf_blank_page(200, 30), "E114"),
    "pages_5000.pdf": (lambda: _many_pages(5000), "E114"),
    "recursive_xobject.pdf": (hf.pdf_recursive_xobject, "E404"),
    "content_stream_bomb.pdf": (hf.pdf_content_bomb, "E404"),
    "rtf_deep_groups.doc": (hf.rtf_deep_groups, "E116"),
    "empty.txt": (lambda: b"", "E101"),
    "blank.pdf": (lambda: b"   \n", "E101"),
    "unknown_binary.txt": (lambda: bytes(range(256)) * 16, "E102"),
    # decoding that tells the truth: read, with a warning that says what happened
    "shift_jis.txt": (lambda: _text(JAPANESE, "shift_jis"), ("doc", "cp932")),
    "utf16_without_bom.txt": (lambda: _text(NOTICE, "utf-16-le"), ("doc", "without a byte-order mark")),
    "utf32_without_bom.txt": (lambda: _text(NOTICE, "utf-32-be"), ("doc", "without a byte-order mark")),
    "one_bad_byte_utf8.txt": (lambda: _damaged(NOTICE, "utf-8"), ("doc", "undecodable")),
    "one_bad_byte_gb18030.txt": (lambda: _damaged(NOTICE, "gb18030"), ("doc", "undecodable")),
    "utf8_read_as_latin1.txt": (lambda: NOTICE.encode().decode("latin-1").encode(), ("doc", "mojibake")),
    "docx_named.pdf": (lambda: hf.GOOD_DOCX.read_bytes(), ("doc", "named .pdf but the content is DOCX")),
    # linear time: read, within the 60 s limit of the run
    "ruled_grid_2000_lines.pdf": (lambda: hf.pdf_ruled_grid(2000), "doc"),
    "paragraphs_100k.docx": (lambda: hf.docx_many_paragraphs(100_000), "doc"),
    "numbered_tasks_50k.txt": (lambda: _text("关于开展安全生产检查的通知\n各有关单位：\n一、工作任务\n" + "".join(
        f"{i}. 做好第{i}项检查工作，牵头单位：区应急管理局，2024年6月底前完成。\n" for i in range(1, 50_001))),
        "doc"),
    "page_tree_repeats_itself.pdf": (hf.pdf_page_tree_repeats, ("doc", "page tree lists 4 entries for 1 pages")),
    "fonts_without_tounicode.pdf": (hf.pdf_font_without_tounicode, ("doc", "does not map to Unicode")),
    "digit_and_colon_runs.txt": (lambda: _text(NOTICE + "1" * 50_000 + "\n" + ":" * 50_000 + "\n"
                                               + "：" * 50_000 + "\n" + "（1）" * 10_000 + "\n"), "doc"),
}


def _ofd_with_entities() -> bytes:
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(hf.ofd()))
    parts = {n: src.read(n) for n in src.namelist()}
    parts["OFD.xml"] = hf.billion_laughs(b"<lolz>&lol9;</lolz>")
    return hf.zip_bytes(parts)


def _many_pages(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    return hf.pdf(objs)


def _special_files(folder: Path) -> dict[str, str]:
    """Entries that are no regular file inside the input folder, with their codes."""
    out = {}
    os.mkfifo(folder / "a_fifo.txt")
    out["a_fifo.txt"] = "E405"
    os.symlink("/dev/zero", folder / "dev_zero.txt")
    out["dev_zero.txt"] = "E406"
    os.symlink("/etc/passwd", folder / "passwd.txt")
    out["passwd.txt"] = "E406"
    os.symlink(folder / "loop_b.txt", folder / "loop_a.txt")
    os.symlink(folder / "loop_a.txt", folder / "loop_b.txt")
    out["loop_a.txt"] = out["loop_b.txt"] = "E406"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "a_socket.txt"))
    sock.close()
    out["a_socket.txt"] = "E405"
    bad_name = os.fsencode(str(folder)) + b"/bad_name_\xff\xfe.txt"
    with open(bad_name, "wb") as fh:
        fh.write(NOTICE.encode())
    out["bad_name_\\xff\\xfe.txt"] = "E402"
    return out


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    batch, alone = base / "in", base / "alone"
    batch.mkdir()
    alone.mkdir()
    for g in GOOD:
        shutil.copy(g, batch / g.name)
        shutil.copy(g, alone / g.name)
    # a good notice under a name with a newline: read like any other
    (batch / "new\nline.txt").write_text(NOTICE.replace("安全生产", "消防安全"), encoding="utf-8")
    for name, (build, _) in KINDS.items():
        (batch / name).write_bytes(build())
    special = _special_files(batch)
    unreadable = batch / "unreadable.txt"
    unreadable.write_text(NOTICE.replace("安全生产", "防汛"), encoding="utf-8")
    unreadable.chmod(0)
    run = run_cli(str(batch), "--out", str(base / "out"), "-q", "--workers", "2", "--limit", "timeout_s=60")
    good = run_cli(str(alone), "--out", str(base / "out_alone"), "-q")
    failures = pq.read_table(base / "out" / "failures").to_pylist()
    return {"base": base, "run": run, "good": good, "special": special,
            "failures": {Path(r["source_path"]).name: r for r in failures},
            "documents": pq.read_table(base / "out" / "documents").to_pylist()}


def test_the_run_is_bounded_and_published(hostile_run):
    run = hostile_run["run"]
    assert run["rc"] == 1, run["stderr"]  # some files failed: published, exit 1
    assert run["peak_mb"] < PEAK_LIMIT_MB, run
    assert run["seconds"] < 240, run
    assert hostile_run["good"]["rc"] == 0


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_gives_its_code(hostile_run, name):
    expected = KINDS[name][1]
    failures, docs = hostile_run["failures"], hostile_run["documents"]
    if expected == "doc" or isinstance(expected, tuple):
        assert name not in failures, failures.get(name)
        doc = next(d for d in docs if Path(d["source_path"]).name == name)
        if isinstance(expected, tuple):
            assert any(expected[1] in w for w in doc["warnings"]), doc["warnings"]
    else:
        row = failures.get(name)
        assert row is not None, f"{name} was read as a document"
        assert row["code"] == expected, row
        assert row["message"] and "Traceback" not in row["message"]


def test_special_entries_are_never_opened(hostile_run):
    failures = hostile_run["failures"]
    for name, code in hostile_run["special"].items():
        assert failures[name]["code"] == code, failures.get(name)
    names = {Path(d["source_path"]).name for d in hostile_run["documents"]}
    assert "passwd.txt" not in names and "dev_zero.txt" not in names


def test_unreadable_file(hostile_run):
    """chmod 000: root reads it anyway (the tests may run as root), anyone else gets E402."""
    names = {Path(d["source_path"]).name for d in hostile_run["documents"]}
    if os.geteuid() == 0:
        assert "unreadable.txt" in names
    else:
        assert hostile_run["failures"]["unreadable.txt"]["code"] == "E402"


def test_newline_file_name_is_read(hostile_run):
    assert any(d["source_path"].endswith("new\nline.txt") for d in hostile_run["documents"])


def test_good_files_give_the_tables_they_give_alone(hostile_run):
    base = hostile_run["base"]
    ids = {d["doc_id"] for d in pq.read_table(base / "out_alone" / "documents").to_pylist()}
    assert len(ids) == len(GOOD)
    for table in ("tasks", "task_units", "deadlines", "texts"):
        together = [r for r in pq.read_table(base / "out" / table).to_pylist() if r["doc_id"] in ids]
        alone = pq.read_table(base / "out_alone" / table).to_pylist()
        # the partition column's type is inferred per dataset (int alone, string beside
        # the 'unknown' partition of documents without a year): compare values as text
        key = lambda r: json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True)  # noqa: E731
        assert sorted(map(key, together)) == sorted(map(key, alone)), table


def test_scripts_are_not_text_and_nothing_escaped_the_zip(hostile_run):
    base = hostile_run["base"]
    texts = pq.read_table(base / "out" / "texts").to_pylist()
    assert not any("脚本内容" in (t.get("text") or "") for t in texts)
    assert not Path("/tmp/policyparse_evil_abs.txt").exists()
    assert not any(p.name == "policyparse_evil.txt" for p in base.rglob("*"))


def test_a_page_tree_that_repeats_itself_reads_each_page_once(hostile_run):
    from policyparse.pipeline import parse_bytes

    doc = next(d for d in hostile_run["documents"] if d["source_path"].endswith("page_tree_repeats_itself.pdf"))
    once = parse_bytes(hf.pdf_page_tree_repeats(b"3 0 R", 1), "once.pdf", ocr=False)
    assert doc["n_tasks"] == len(once.tasks) and doc["page_count"] == 1
