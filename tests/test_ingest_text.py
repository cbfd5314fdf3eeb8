"""Plain-text reader: encodings, line endings, and tables a converter flattened to text."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyparse.ingest import read_bytes, read_file
from policyparse.ingest.text import decode_text
from policyparse.normalize import normalize_text
from textcheck import recovery

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
GBK = ROOT / "corpus" / "renderings" / "gbk"
DOCX = ROOT / "corpus" / "renderings" / "docx"

SIMPLIFIED = "关于印发2023年安全生产工作要点的通知\n各区县人民政府：\n现将工作要点印发给你们，请认真贯彻执行。\n"
TRADITIONAL = "關於印發安全生產工作要點的通知\n各區縣人民政府：\n現將工作要點印發給你們，請認真貫徹執行。\n"


def lines(doc) -> list[str]:
    return doc.text.split("\n")


def test_utf8_without_and_with_bom():
    plain = read_bytes(SIMPLIFIED.encode("utf-8"), "a.txt")
    bom = read_bytes(b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), "b.txt")
    assert plain.meta.encoding == "utf-8" and bom.meta.encoding == "utf-8-sig"
    assert plain.text == bom.text
    assert lines(plain)[0] == "关于印发2023年安全生产工作要点的通知"
    assert "\ufeff" not in bom.text


def test_gb18030_with_characters_beyond_gbk():
    text = SIMPLIFIED + "编号·—€𠀀\n"  # 𠀀 (U+20000) needs GB18030's four-byte form
    doc = read_bytes(text.encode("gb18030"), "c.txt")
    assert doc.meta.encoding == "gb18030"
    assert lines(doc)[-1] == "编号·—€𠀀"


def test_big5_is_not_mistaken_for_gb18030():
    # Big5 bytes decode as GB18030 without error, into mojibake
    assert TRADITIONAL.encode("big5").decode("gb18030") != TRADITIONAL
    doc = read_bytes(TRADITIONAL.encode("big5"), "d.txt")
    assert doc.meta.encoding == "big5"
    assert lines(doc)[0] == "關於印發安全生產工作要點的通知"


def test_utf16_with_bom():
    doc = read_bytes(SIMPLIFIED.encode("utf-16"), "e.txt")
    assert lines(doc)[1] == "各区县人民政府："


def test_crlf_and_cr_line_endings():
    doc = read_bytes(SIMPLIFIED.replace("\n", "\r\n").encode("utf-8"), "f.txt")
    assert "\r" not in doc.text
    assert lines(doc) == [l for l in SIMPLIFIED.split("\n") if l]


@pytest.mark.parametrize("path", sorted(GBK.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_corpus_gbk_text_equals_seed(path):
    """The gbk renderings are the seed in GB18030 with CRLF: the same document."""
    doc = read_file(path)
    seed = read_file(SEEDS / path.name)
    assert doc.meta.encoding == "gb18030"
    assert doc.text == seed.text and "\r" not in doc.text
    # in-order recovery of the seed's characters (only page-number lines are dropped)
    assert recovery((SEEDS / path.name).read_text(encoding="utf-8"), doc.text) >= 0.99
    assert [b.kind for b in doc.blocks] == [b.kind for b in seed.blocks]
    first_line = next(l for l in path.read_bytes().decode("gb18030").split("\r\n") if l.strip())
    assert doc.text.split("\n")[0] == normalize_text(first_line).strip()


def _cells(doc):
    table = next(doc.tables()).table
    return [(c.row, c.col, c.rowspan, c.colspan, re.sub(r"\s", "", doc.text[c.start:c.end]))
            for c in table.cells], table


def test_flattened_table_001_matches_the_word_table():
    txt = read_file(SEEDS / "001_2bc76009f1065234.txt")
    assert len(list(txt.tables())) == 1
    cells, table = _cells(txt)
    assert (table.n_rows, table.n_cols) == (19, 6)  # header + 18 data rows
    grid = table.grid()
    assert [txt.text[grid[r][0].start:grid[r][0].end] for r in range(1, 19)] == [str(n) for n in range(1, 19)]
    # a cell's own line breaks stay inside the cell (牵头\n单位 is one header cell)
    assert re.sub(r"\s", "", txt.text[grid[0][3].start:grid[0][3].end]) == "牵头单位"
    word_cells, _ = _cells(read_file(DOCX / "001_2bc76009f1065234.docx"))
    assert cells == word_cells


def test_flattened_table_002_section_rows_span_the_table():
    txt = read_file(SEEDS / "002_6cf0c48ced16b0a2.txt")
    cells, table = _cells(txt)
    assert table.n_cols == 7
    sections = [c for c in cells if c[3] == 7]
    assert len(sections) == 6 and all(re.match(r"[一二三四五六]、", c[4]) for c in sections)
    grid = table.grid()
    numbers = [txt.text[grid[r][0].start:grid[r][0].end] for r in range(1, table.n_rows) if grid[r][0].colspan == 1]
    assert numbers == [str(n) for n in range(1, 28) if n != 9]
    # cell for cell the same table as the Word file, but for a converter's bookmark marker
    word_cells, _ = _cells(read_file(DOCX / "002_6cf0c48ced16b0a2.docx"))
    strip = lambda cs: [c[:4] + (c[4].replace("[bookmark:_GoBack]", ""),) for c in cs]  # noqa: E731
    assert strip(cells) == strip(word_cells)


def test_page_number_lines_are_not_text():
    doc = read_bytes("第一段正文。\n— 10 —\n第二段正文。\n".encode("utf-8"), "g.txt")
    assert lines(doc) == ["第一段正文。", "第二段正文。"]


def test_text_around_a_table_stays_paragraphs():
    text = "附件：任务分解表\n\t序号\n\t任务\n\t责任单位\n\n\t1\n\t排查隐患\n\t县水利局\n\n此件公开发布\n"
    doc = read_bytes(text.encode("utf-8"), "h.txt")
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]
    t = doc.blocks[1].table
    assert (t.n_rows, t.n_cols) == (2, 3)


def test_decode_text_prefers_a_declared_superset():
    data = "《通知》——附件·一".encode("gb18030")
    text, enc = decode_text(data, "gb2312")
    assert enc == "gb18030" and text == "《通知》——附件·一"


def test_ascii_punctuation_beside_chinese_is_set_full_width():
    from policyparse.normalize import normalize_text

    assert normalize_text("(一)加强领导,压实责任;责任单位:县教育局") == "（一）加强领导，压实责任；责任单位：县教育局"
    assert normalize_text("PM2.5浓度 a:b") == "PM2.5浓度 a:b"  # numbers and Latin untouched
    # a space between a digit and a Chinese character is a crawler's or a justifier's
    assert normalize_text("2022 年 5 月底前完成 17 项") == "2022年5月底前完成17项"
