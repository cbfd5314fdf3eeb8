"""The PDF text reader: text recovery, layout, tables, furniture, speed, bad input."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from policyparse.errors import CorruptFileError, EncryptedFileError, IngestError, NoTextError
from policyparse.ingest import read_bytes, read_file
from policyparse.ingest.pdf_layout import (Piece, Rule, GridTable, continue_table, find_tables,
                                           build_table, group_lines, join_paragraphs, is_page_number,
                                           table_rows)
from policyparse.ingest.pdf_text import read_pdf
from textcheck import recovery

ROOT = Path(__file__).resolve().parents[1]
PDF_DIR = ROOT / "corpus" / "renderings" / "pdf"
SCAN_DIR = ROOT / "corpus" / "renderings" / "scan"
SEEDS = ROOT / "corpus" / "seeds"
PDFS = sorted(PDF_DIR.glob("*.pdf"))


@pytest.fixture(scope="module")
def docs():
    return {p.stem: read_pdf(p.read_bytes(), str(p), doc_id=p.stem) for p in PDFS}


def test_corpus_present():
    assert len(PDFS) == 5


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem[:3])
def test_text_recovery_per_file(path, docs):
    doc = docs[path.stem]
    seed = (SEEDS / f"{path.stem}.txt").read_text(encoding="utf-8")
    assert recovery(seed, doc.text) >= 0.99
    assert doc.meta.ocr is False
    assert doc.source_format == "pdf"


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem[:3])
def test_offsets_honest_and_pages(path, docs):
    doc = docs[path.stem]
    last_end = -1
    for block in doc.blocks:
        assert block.start > last_end and block.end > block.start
        piece = doc.text[block.start:block.end]
        assert piece == piece.strip() or block.table is not None
        last_end = block.end
        if block.table is not None:
            for cell in block.table.cells:
                assert block.start <= cell.start <= cell.end <= block.end
                assert "\t" not in doc.text[cell.start:cell.end]
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    assert all(doc.pages[i].end <= doc.pages[i + 1].start for i in range(len(doc.pages) - 1))


def test_read_file_goes_through_format_table():
    doc = read_file(PDFS[0])
    assert doc.source_format == "pdf" and doc.blocks
    assert doc.doc_id and doc.source_path.endswith(".pdf")


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem[:3])
def test_page_furniture_removed(path, docs):
    doc = docs[path.stem]
    for block in doc.blocks:
        if block.table is None:
            assert not is_page_number(doc.text[block.start:block.end])
    assert not re.search(r"—\s*\d{1,3}\s*—", doc.text)


def test_red_issuer_mark_has_its_style(docs):
    """A GB/T 9704 发文机关标志 is large, red and centred: the header reader relies on it."""
    red = [b for d in docs.values() for b in d.blocks
           if b.style.get("color") and int(b.style["color"][:2], 16) > 0xC0
           and int(b.style["color"][2:4], 16) < 0x40]
    assert red, "no red paragraph found"
    assert all(b.page == 1 and b.style["size"] >= 20 for b in red)
    assert any(b.style.get("bold") for b in red)


def test_styles_present_on_body(docs):
    for doc in docs.values():
        paragraphs = [b for b in doc.blocks if b.table is None]
        aligns = {b.style["align"] for b in paragraphs}
        assert "left" in aligns and "center" in aligns
        sizes = [b.style["size"] for b in paragraphs]
        assert max(sizes) > min(sizes)  # titles are larger than body text


def test_numbered_items_open_paragraphs(docs):
    """Every 一、/（一）/1. item starts its own paragraph; no item is glued to the previous
    paragraph's end mid-block."""
    for doc in docs.values():
        for b in doc.blocks:
            if b.table is not None:
                continue
            text = doc.text[b.start:b.end]
            # the label of a following item never appears right after a full stop
            assert not re.search(r"。[一二三四五六七八九十]{1,2}、\S", text)


def test_wrapped_lines_rejoined(docs):
    """Body paragraphs are whole: few paragraphs end without closing punctuation."""
    for doc in docs.values():
        body = [doc.text[b.start:b.end] for b in doc.blocks
                if b.table is None and b.style.get("size", 0) < 18 and len(doc.text[b.start:b.end]) > 40]
        unfinished = [t for t in body if not re.search(r"[。；;：:！？）)\]】”]$", t)]
        assert len(unfinished) <= max(1, len(body) // 10), unfinished


def _task_tables(docs):
    return [(d, b) for d in docs.values() for b in d.blocks if b.table is not None]


def test_tables_rebuilt_as_cells(docs):
    tables = _task_tables(docs)
    # the two task lists are one table each, although each runs over several pages
    assert len(tables) == 2
    by_cols = {b.table.n_cols: (d, b) for d, b in tables}
    assert set(by_cols) == {6, 7}
    for n_cols, (doc, block) in by_cols.items():
        rows = doc.text[block.start:block.end].split("\n")
        header = [c for c in block.table.cells if c.row == 0]
        assert len(header) == n_cols
        assert doc.text[header[0].start:header[0].end] == "序号"
        # the repeated header row of every continuation page was dropped
        assert sum(1 for r in rows if r.startswith("序号\t")) == 1


def test_task_rows_numbered_and_split_rows_joined(docs):
    """Every task row carries its 序号 (a row split by a page break was joined back, not
    left as a row with an empty number cell), numbers rise, and section headings are
    cells merged across the table."""
    for doc, block in _task_tables(docs):
        table = block.table
        grid_rows: dict[int, list] = {}
        for c in table.cells:
            grid_rows.setdefault(c.row, []).append(c)
        numbers, sections = [], 0
        for r in sorted(grid_rows)[1:]:
            cells = sorted(grid_rows[r], key=lambda c: c.col)
            first = doc.text[cells[0].start:cells[0].end]
            if len(cells) == 1 and cells[0].colspan == table.n_cols:
                sections += 1
                continue
            if cells[0].col == 0 and cells[0].rowspan == 1:
                assert first.strip(), f"row {r} has an empty number cell"
                numbers.append(int(first))
        assert numbers == sorted(numbers) and len(numbers) >= 15
        if table.n_cols == 7:
            assert sections == 6 and len(numbers) == 26


# ----------------------------------------------------------------------------- layout units


def _line_pieces(text: str, x0: float, top: float, size: float = 10.0) -> list[Piece]:
    return [Piece(ch, x0 + i * size, x0 + (i + 1) * size, top, top + size, size) for i, ch in enumerate(text)]


def test_paragraph_rules_on_synthetic_lines():
    # margins 0..100 (10 characters a line), line pitch 15
    pieces = (_line_pieces("一、总体要求", 0, 0)
              + _line_pieces("甲乙丙丁戊己庚辛壬癸", 20, 15)      # indented first line, full
              + _line_pieces("子丑寅卯辰巳午未申酉", 0, 30)      # wraps on
              + _line_pieces("天地玄黄。", 0, 45)              # short: the paragraph ends
              + _line_pieces("宇宙洪荒日月盈昃辰宿", 0, 60)      # flush left after a short line
              + _line_pieces("（一）列张寒来暑往秋", 0, 75)      # numbered item
              + _line_pieces("收冬藏。", 0, 90))
    lines = group_lines(pieces)
    paras = [p.text for p in join_paragraphs(lines, 0, 100)]
    assert paras == ["一、总体要求", "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉天地玄黄。",
                     "宇宙洪荒日月盈昃辰宿", "（一）列张寒来暑往秋收冬藏。"]


def test_reading_order_resorted_by_position():
    """Pieces that arrive out of order (a font change restarts the stream) are re-sorted."""
    pieces = _line_pieces("甲乙丙", 0, 0)
    pieces = [pieces[2], pieces[0], pieces[1]] + _line_pieces("丁戊", 0, 15)[::-1]
    assert [ln.text for ln in group_lines(pieces)] == ["甲乙丙", "丁戊"]


def _grid_rules(xs, ys, missing_v=()):
    """Rules of a full grid; ``missing_v``: (x index, row) vertical pieces left out."""
    rules = [Rule(True, y, xs[0], xs[-1]) for y in ys]
    for i, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if (i, r) not in missing_v:
                rules.append(Rule(False, x, ys[r], ys[r + 1]))
    return rules


def test_grid_with_merged_section_row():
    xs, ys = [0, 20, 60, 100], [0, 10, 20, 30]
    # row 1 is a section heading across all three columns
    rules = _grid_rules(xs, ys, missing_v={(1, 1), (2, 1)})
    found = find_tables(rules, 1.0)
    assert len(found) == 1
    gx, gy, group = found[0]
    pieces = (_line_pieces("序号", 1, 1, 4) + _line_pieces("任务", 21, 1, 4) + _line_pieces("单位", 61, 1, 4)
              + _line_pieces("一、章节", 1, 11, 4)
              + _line_pieces("1", 1, 21, 4) + _line_pieces("甲", 21, 21, 4) + _line_pieces("乙", 61, 21, 4)
              + _line_pieces("正文", 0, 50, 4))
    table, rest = build_table(gx, gy, group, pieces, 1.0)
    assert "".join(p.text for p in rest) == "正文"
    assert table_rows(table) == [[("序号", 1, 1), ("任务", 1, 1), ("单位", 1, 1)],
                                 [("一、章节", 1, 3)],
                                 [("1", 1, 1), ("甲", 1, 1), ("乙", 1, 1)]]


def test_table_continued_over_page_break():
    xs = [0.0, 20.0, 60.0]
    first = GridTable(xs, [0, 10, 20], [(0, 0, 1, 1, "序号"), (0, 1, 1, 1, "任务"),
                                        (1, 0, 1, 1, "1"), (1, 1, 1, 1, "完成基")], page=1)
    second = GridTable(xs, [0, 10, 20, 30], [(0, 0, 1, 1, "序号"), (0, 1, 1, 1, "任务"),
                                             (1, 0, 1, 1, ""), (1, 1, 1, 1, "层建设。"),
                                             (2, 0, 1, 1, "2"), (2, 1, 1, 1, "乙")], page=2)
    joined = continue_table(first, second, 1.0)
    assert joined is not None
    assert table_rows(joined) == [[("序号", 1, 1), ("任务", 1, 1)],
                                  [("1", 1, 1), ("完成基层建设。", 1, 1)],
                                  [("2", 1, 1), ("乙", 1, 1)]]
    other_columns = GridTable([0.0, 50.0, 60.0], second.ys, second.cells, page=2)
    assert continue_table(first, other_columns, 1.0) is None


# ----------------------------------------------------------------------------- speed


def test_faster_than_pdfplumber_text_dump():
    pdfplumber = pytest.importorskip("pdfplumber")
    datas = [(p, p.read_bytes()) for p in PDFS]
    read_pdf(datas[0][1], "warm", doc_id="warm")  # imports, not reading, excluded
    t0 = time.perf_counter()
    for p, data in datas:
        read_pdf(data, str(p), doc_id="x")
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p, _ in datas:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()
    theirs = time.perf_counter() - t0
    assert theirs / ours >= 1.0, f"reader {ours:.2f}s vs pdfplumber {theirs:.2f}s"


# ----------------------------------------------------------------------------- bad input


def _minimal_pdf(encrypt: bool) -> bytes:
    """A one-page PDF; with ``encrypt`` a Standard security handler whose user
    password is not empty (random /O and /U), so opening needs a password."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    if encrypt:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" + b"11" * 32
                    + b"> /U <" + b"22" * 32 + b"> >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objs) + 1)
    if encrypt:
        trailer += b" /Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">]"
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out


def test_truncated_pdf_is_corrupt(tmp_path):
    data = PDFS[0].read_bytes()
    cut = data[: len(data) // 2]
    with pytest.raises(CorruptFileError) as err:
        read_pdf(cut, "cut.pdf", doc_id="x")
    assert err.value.code == "E103"
    path = tmp_path / "cut.pdf"
    path.write_bytes(cut)
    with pytest.raises(CorruptFileError) as err:
        read_file(path)
    assert str(path) in str(err.value)


def test_encrypted_pdf_needs_password(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_minimal_pdf(True))
    with pytest.raises(EncryptedFileError) as err:
        read_file(path)
    assert err.value.code == "E104"


def test_image_only_pdf_without_ocr_raises_no_text():
    data = (SCAN_DIR / PDFS[0].name).read_bytes()
    with pytest.raises(NoTextError):
        read_bytes(data, "scan.pdf", ocr=False)
    # a PDF with an empty page and no text layer is the same case
    with pytest.raises(NoTextError):
        read_pdf(_minimal_pdf(False), "blank.pdf", doc_id="x", ocr=False)


def test_garbage_after_header_is_an_ingest_error():
    with pytest.raises(IngestError):
        read_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50, "junk.pdf")


def test_running_header_and_page_numbers_removed():
    """A line repeated at the top of most pages and the page numbers at the bottom are
    furniture; body lines that repeat elsewhere on the page are kept."""
    from policyparse.ingest.pdf_layout import PageContent, emit_pages
    from policyparse.model import DocumentBuilder

    pages = []
    for n in range(1, 5):
        pieces = (_line_pieces("某市某局工作简报", 100, 20)            # running header
                  + _line_pieces(f"第{n}页正文内容。", 100, 300)
                  + _line_pieces("各单位要抓好落实。", 100, 330)       # repeats, but mid-page
                  + _line_pieces(f"—{n}—", 280, 800))                 # page number
        pages.append(PageContent(n, 595, 842, pieces, [], 2.5))
    b = DocumentBuilder("x.pdf", "pdf")
    emit_pages(b, pages)
    doc = b.build("x")
    assert "工作简报" not in doc.text and "—" not in doc.text
    assert doc.text.count("各单位要抓好落实。") == 4
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]


def test_unruled_table_is_read_as_a_table():
    """A task table printed without borders (columns aligned by white space): pdfplumber's
    text strategy on the tabular page, kept because its header names task-table columns."""
    from policyparse.pipeline import parse_file

    doc = parse_file(Path(__file__).parent / "data" / "pdf" / "unruled_table.pdf")
    tables = [b.table for b in doc.tables()]
    assert len(tables) == 1 and (tables[0].n_rows, tables[0].n_cols) == (5, 5)
    assert [t.source for t in doc.tasks] == ["table"] * 4
    first = doc.tasks[0]
    assert doc.text[first.start:first.end].replace("\n", "").startswith("1\t完成高标准农田建设2万亩")
    assert {(u.role, u.unit) for u in first.units} == {("lead", "县农业农村局"), ("support", "县财政局")}
    assert [d.raw for d in first.deadlines] == ["2024年10月底前"]
    assert [f.period for f in doc.tasks[1].frequencies] == ["month"]
    # the paragraphs around the table stay paragraphs
    assert doc.header.title == "某县农业农村局关于印发2024年农业农村工作任务分解表的通知"


# ----------------------------------------------------------------------------- page-tree check


def test_page_tree_count_is_pdfplumbers_count():
    """The page-tree check counts what pdfplumber's page list held before (pdfminer's walk:
    each page object once), on the corpus and on a tree that lists its page three times
    and itself once."""
    import io

    import pdfplumber

    from hostile_files import pdf_page_tree_repeats
    from policyparse.ingest.pdf_unruled import page_tree_count

    for data in [p.read_bytes() for p in PDFS] + [pdf_page_tree_repeats()]:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            assert page_tree_count(data) == len(pdf.pages)
    assert page_tree_count(pdf_page_tree_repeats()) == 1


def test_pages_without_a_media_box_are_read():
    """pdfium reads a page without a MediaBox (US Letter); the page-tree check no longer
    builds pdfplumber pages, which failed on it (TypeError), so the file is read."""
    from hostile_files import pdf, stream

    body = (b"BT /F1 12 Tf 14 TL 72 760 Td (Guanyu kaizhan anquan jiancha de tongzhi) ' "
            b"(1. Jiaqiang zuzhi lingdao. 2024-06-30) ' ET")
    page = b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>"
    data = pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
                page, page, stream(body), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
    doc = read_pdf(data, "no_media_box.pdf", doc_id="x")
    assert doc.meta.page_count == 2 and doc.text.count("Jiaqiang zuzhi lingdao") == 2
    assert not any("page tree" in w for w in doc.warnings)


def test_page_tree_is_walked_only_when_a_page_repeats_or_fails(monkeypatch):
    """pdfminer's walk of the page tree (about 4 ms a file) is asked only when two pages
    read the same or one fails to load: the corpus PDFs, whose pages all differ, are read
    without it; the tree that lists its page three times still is."""
    from hostile_files import pdf_page_tree_repeats
    from policyparse.ingest import pdf_unruled

    walks = []
    real = pdf_unruled.page_tree_count
    monkeypatch.setattr(pdf_unruled, "page_tree_count", lambda data: walks.append(1) or real(data))
    for p in PDFS:
        assert read_pdf(p.read_bytes(), str(p), doc_id="x").meta.page_count > 1
    assert walks == []
    doc = read_bytes(pdf_page_tree_repeats(), "repeats.pdf")
    assert walks == [1] and doc.meta.page_count == 1
    assert any("page tree lists" in w for w in doc.warnings)


# ----------------------------------------------------------------------------- characters into pieces


def _pdf_with_text_objects(objects: list[tuple[str, float, tuple]]) -> bytes:
    """A one-page PDF written by pdfium: one text object (Helvetica) per ``(text, size,
    matrix)``, the matrix (a, b, c, d, e, f) placing it on the page."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(400, 400)
    font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for text, size, matrix in objects:
        obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, size)
        wide = (text + "\0").encode("utf-16-le")
        raw.FPDFText_SetText(obj, ctypes.cast(ctypes.create_string_buffer(wide, len(wide)),
                                              raw.FPDF_WIDESTRING))
        raw.FPDFPageObj_Transform(obj, *matrix)
        raw.FPDFPage_InsertObject(page.raw, obj)
    assert raw.FPDFPage_GenerateContent(page.raw)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _pieces(data: bytes) -> list[Piece]:
    from policyparse.ingest.pdf_text import _page_pieces, open_pdf

    page = open_pdf(data)[0]
    return _page_pieces(page, page.get_height())


def test_a_straight_text_object_is_one_piece_a_rotated_one_a_piece_per_character():
    # the reader takes a shortcut for the characters of an unrotated object (one baseline):
    # it must not carry it over to a rotated object, whose characters climb (1 degree:
    # the glyphs still stand side by side, so only the matrix tells)
    cos, sin = 0.99985, 0.01745
    pieces = _pieces(_pdf_with_text_objects([("Straight", 12.0, (1, 0, 0, 1, 40, 300)),
                                             ("Tilted", 12.0, (cos, sin, -sin, cos, 40, 100))]))
    straight = [p for p in pieces if p.top < 200]  # top-down coordinates: y 300 is near the top
    tilted = [p for p in pieces if p.top > 200]
    assert [p.text for p in straight] == ["Straight"]
    assert straight[0].size == pytest.approx(12.0)
    assert "".join(p.text for p in tilted) == "Tilted"
    assert len(tilted) == len("Tilted")  # one baseline each, so a piece each
    assert len({round(p.top, 2) for p in tilted}) == len("Tilted")


def test_a_gap_inside_an_object_splits_it_into_pieces_of_one_line():
    pieces = _pieces(_pdf_with_text_objects([("ab      cd", 10.0, (1, 0, 0, 1, 40, 300))]))
    line = sorted(pieces, key=lambda p: p.x0)
    assert [p.text for p in line] == ["ab", "cd"]  # the spaces are geometry, not text
    assert line[0].top == line[1].top and line[0].bottom == line[1].bottom
    assert line[0].size == line[1].size == 10.0
    assert line[1].x0 - line[0].x1 > 10  # six spaces of 10-point Helvetica
