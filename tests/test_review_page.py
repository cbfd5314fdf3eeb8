"""`policyparse review` (issue 9): the review page tested as a person sees it. The page is
opened in headless Chromium (Debian's `chromium`, installed by scripts/setup.sh --dev); the
DOM after its script ran is checked against the tables (one mark per extracted record of
each kind, one side-list entry per task, no script error) and a screenshot is taken.

Without Chromium the browser tests are skipped with the reason, except under CI (env CI
set), where a missing browser is a failure: CI must show that the page renders."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import lxml.html
import pyarrow.dataset as ds
import pytest

from policyparse.export.load import document_records
from policyparse.export.review import KINDS, marked_text, render_review, spans_of, write_review
from policyparse.export.tables import document_rows
from policyparse.pipeline import parse_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "seeds" / "002_6cf0c48ced16b0a2.txt"  # the seed with every kind of record
WINDOW = (1400, 1000)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# the flags that run Chromium headless as root with no network, no first-run work and a
# throw-away profile
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-dev-shm-usage"]


def _browser() -> str:
    found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: scripts/setup.sh --dev installs it (apt-get install chromium); "
                    "CI must render the review page in a real browser")
    pytest.skip("chromium is not installed (apt-get install chromium, or scripts/setup.sh --dev)")


def _chromium(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [_browser(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, page.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _dom(page: Path, tmp: Path):
    done = _chromium(page, tmp, "--dump-dom")
    assert done.returncode == 0 and done.stdout.startswith("<!DOCTYPE html>"), done.stderr[-2000:]
    return lxml.html.fromstring(done.stdout.encode("utf-8"))


def _first_marks(dom, kind: str) -> list:
    return dom.xpath(f'//article[@id="text"]//mark[@data-kind="{kind}"][@data-part="0"]')


def _expected_counts(rows: dict[str, list[dict]]) -> Counter:
    counts = Counter({"task": len(rows["tasks"]), "deadline": len(rows["deadlines"]),
                      "frequency": len(rows["frequencies"]), "target": len(rows["targets"])})
    counts.update(u["role"] for u in rows["task_units"])
    return counts


def _check_page(dom, rows: dict[str, list[dict]]) -> None:
    root = dom.getroottree().getroot()
    assert root.get("data-script-errors") == "0", root.get("data-last-error")
    assert root.get("data-ready") == "1"  # the script ran to its end
    expected = _expected_counts(rows)
    assert all(expected[k] for k in KINDS), expected  # the document has every kind: the counts mean something
    text = rows["texts"][0]["text"]
    for kind in KINDS:
        marks = _first_marks(dom, kind)
        assert len(marks) == expected[kind], kind
        # the legend's count is written by the page's script from the marks it finds
        legend = dom.xpath(f'//span[@data-count-for="{kind}"]')[0]
        assert legend.text_content() == str(expected[kind]), kind
    # every mark, its fragments joined, is exactly its record's text
    fragments = defaultdict(list)
    for mark in dom.xpath('//article[@id="text"]//mark'):
        fragments[mark.get("data-span")].append(mark.text_content())
    by_kind = {"task": rows["tasks"], "deadline": rows["deadlines"], "frequency": rows["frequencies"],
               "target": rows["targets"]}
    for n, unit in enumerate(rows["task_units"]):
        assert "".join(fragments[f"unit-{n}"]) == text[unit["char_start"]:unit["char_end"]] == unit["unit"]
    for n, record in enumerate(rows["deadlines"]):
        assert "".join(fragments[f"deadline-{n}"]) == text[record["char_start"]:record["char_end"]]
    for task in by_kind["task"]:
        assert "".join(fragments[f"task-{task['task_index']}"]) == task["text"]
    # the article holds the whole text, unchanged
    assert dom.xpath('//article[@id="text"]')[0].text_content() == text
    # the side list: one entry per task, each jumping to its task's mark
    links = dom.xpath('//ol[@id="tasks"]/li/a')
    assert len(links) == len(rows["tasks"])
    for link, task in zip(links, rows["tasks"]):
        target = dom.get_element_by_id(link.get("href").lstrip("#"))
        assert target.get("data-kind") == "task" and target.get("data-n") == str(task["task_index"] + 1)
    # self-contained: nothing to fetch
    assert not dom.xpath("//*[@src] | //link | //iframe | //object")
    for style in dom.xpath("//style"):
        assert "url(" not in style.text_content() and "@import" not in style.text_content()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_marks_nest_and_split_where_spans_cross():
    from policyparse.export.review import _Span

    spans = [_Span("task", 0, 10, "task-0", "t", 0), _Span("lead", 2, 6, "unit-0", "u", 0),
             _Span("deadline", 4, 12, "deadline-0", "d", 0), _Span("target", 8, 8, "target-0", "g", 0)]
    page = marked_text("0123456789AB<&", spans)
    dom = lxml.html.fromstring(f"<div>{page}</div>")
    assert dom.text_content() == "0123456789AB<&"
    pieces = defaultdict(list)
    for mark in dom.iter("mark"):
        pieces[mark.get("data-span")].append((mark.get("data-part"), mark.text_content()))
    # the deadline crosses the end of the unit, then of the task: three fragments
    assert pieces["deadline-0"] == [("0", "45"), ("1", "6789"), ("2", "AB")]
    assert pieces["task-0"] == [("0", "0123456789")]
    assert pieces["unit-0"] == [("0", "2345")]
    assert pieces["target-0"] == [("0", "")]  # an empty record still has its mark
    assert page.count("<mark") == page.count("</mark>")


def test_review_page_of_a_file_in_a_real_browser(tmp_path):
    rows = document_rows(parse_file(SEED, ocr=False))
    page = tmp_path / "review.html"
    counts = write_review(rows, page)
    assert counts == {k: _expected_counts(rows)[k] for k in KINDS}
    _check_page(_dom(page, tmp_path), rows)
    shot = tmp_path / "review.png"
    done = _chromium(page, tmp_path, f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert _png_size(shot) == WINDOW
    # a blank page compresses to a few KB; text, marks and the side list make a real picture
    assert shot.stat().st_size > 60_000


def test_review_command_by_task_id_of_a_published_run(seeds_output, tmp_path):
    tasks = ds.dataset(str(seeds_output / "tasks"), format="parquet", partitioning=None).to_table().to_pylist()
    task = next(t for t in tasks if t["doc_id"] == parse_file(SEED, ocr=False).doc_id and t["task_index"] == 5)
    page = tmp_path / "task.html"
    cmd = [sys.executable, "-m", "policyparse.cli", "review", task["task_id"], "--out", str(seeds_output),
           "--html", str(page)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    rows, focus = document_records(seeds_output, task["task_id"])
    assert focus == 5
    dom = _dom(page, tmp_path)
    _check_page(dom, rows)
    assert dom.xpath("//body")[0].get("data-focus") == "5"
    current = dom.xpath('//ol[@id="tasks"]/li[contains(@class, "current")]/a')
    assert [a.get("data-task") for a in current] == ["5"]  # the script went to the task named
    # the published page and a fresh parse of the same file mark the same spans
    fresh = document_rows(parse_file(SEED, ocr=False))
    assert [(s.kind, s.start, s.end) for s in spans_of(fresh)] == [(s.kind, s.start, s.end) for s in spans_of(rows)]
    assert render_review(fresh).count("<mark") == render_review(rows).count("<mark")


def test_review_command_refuses_clearly(seeds_output, tmp_path):
    cli = [sys.executable, "-m", "policyparse.cli", "review"]
    no_out = subprocess.run(cli + ["abcdef", "--html", str(tmp_path / "x.html")], capture_output=True, text=True)
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    unknown = subprocess.run(cli + ["ffffffffffffffff", "--out", str(seeds_output), "--html", str(tmp_path / "x.html")],
                             capture_output=True, text=True)
    assert unknown.returncode == 2 and "no document" in unknown.stderr
    assert not (tmp_path / "x.html").exists()
