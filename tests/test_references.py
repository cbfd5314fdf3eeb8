"""Citations (extract/references.py), notice_key and the publish-time link of a citation to
the cited document when it is in the same run (export/tables.reference_linker)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.export import parquet as pq_out
from policyparse.extract.references import find_references
from policyparse.official import normalize_doc_number, normalize_title, notice_key
from policyparse.pipeline import parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


def test_a_cited_title_keeps_the_number_that_follows_it_and_its_span():
    text = ("为贯彻落实《涪陵区应急管理局关于印发2023年全区工贸行业安全生产工作要点的通知》（涪应急发〔2023〕10号）"
            "文件精神，按照《生产安全事故应急预案管理办法》（应急管理部令第2号）的规定，大力实施"
            "《生产经营单位主要负责人安全管理职责履职评估规范》（DB/T1217-2022），学习《中华人民共和国安全生产法》。")
    refs = find_references(text)
    assert [(r.title[:6], r.number, r.rule) for r in refs] == [
        ("涪陵区应急管", "涪应急发〔2023〕10号", "doc_number"),
        ("生产安全事故", "应急管理部令第2号", "order_number"),
        ("生产经营单位", "DB/T1217-2022", "standard_number"),
        ("中华人民共和", None, "title")]
    first = refs[0]
    assert text[first.start] == "《" and text[first.end - 1] == "）"
    assert text[refs[-1].start:refs[-1].end] == "《中华人民共和国安全生产法》"


def test_the_notices_own_plan_is_no_citation():
    doc = parse_file(SEEDS / "004_e08651c05d5d587d.txt")
    titles = [r.title for r in doc.references]
    # 现将《2023年全区商贸安全工作要点》印发给你们: the notice itself
    assert not any("2023年全区商贸安全工作要点" in t for t in titles)
    assert [r.number for r in doc.references] == ["渝北安委〔2022〕15号"]


def test_normalised_numbers_and_titles():
    assert normalize_doc_number("渝府发［2023］第05号") == normalize_doc_number("渝府发〔2023〕5号")
    assert normalize_title("重庆市应急管理局关于印发《X方案》的通知") == normalize_title("关于印发X方案的通知")
    a = notice_key("渝府发〔2023〕5号", ["重庆市人民政府"], "关于…的通知", dt.date(2023, 1, 1))
    b = notice_key("渝府发(2023)05号", ["重庆市人民政府 "], "重庆市人民政府关于…的通知", None)
    assert a == b
    assert notice_key("渝府发〔2023〕6号", ["重庆市人民政府"], "关于…的通知", None) != a
    # no number: title, issuers and date decide
    c = notice_key(None, ["某区应急管理局"], "2023年安全生产工作要点", dt.date(2023, 2, 1))
    assert c == notice_key(None, ["某区应急管理局"], "2023年 安全生产工作要点", dt.date(2023, 2, 1))
    assert c != notice_key(None, ["某区应急管理局"], "2023年安全生产工作要点", dt.date(2024, 2, 1))


CITED = ("涪陵区应急管理局文件\n涪应急发〔2023〕10号\n"
         "涪陵区应急管理局关于印发2023年全区工贸行业安全生产工作要点的通知\n各有关单位：\n"
         "一、加强组织领导。（一）完善工作机制。牵头单位：区应急管理局。2023年6月底前完成。\n"
         "涪陵区应急管理局\n2023年3月1日\n")
CITING_BY_TITLE = ("某某园区管委会关于做好安全生产工作的通知\n各有关单位：\n"
                   "为贯彻落实《涪陵区应急管理局关于印发2023年全区工贸行业安全生产工作要点的通知》文件精神，通知如下。\n"
                   "一、加强组织领导。（一）完善工作机制。牵头单位：园区安监办。2023年6月底前完成。\n"
                   "某某园区管委会\n2023年3月20日\n")


def test_a_citation_links_to_the_cited_document_of_the_same_run(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "site_a").mkdir(parents=True)
    (inputs / "site_b").mkdir()
    # the cited notice twice, with different bytes (two sites): one notice_key
    (inputs / "site_a" / "cited.txt").write_text(CITED, encoding="utf-8")
    (inputs / "site_b" / "cited.txt").write_text(CITED.replace("\n", "\r\n"), encoding="utf-8")
    (inputs / "site_a" / "citing.txt").write_text(CITING_BY_TITLE, encoding="utf-8")
    (inputs / "site_a" / "citing_number.txt").write_text(
        CITING_BY_TITLE.replace("《涪陵区应急管理局关于印发2023年全区工贸行业安全生产工作要点的通知》",
                                "《区应急局关于印发工作要点的通知》（涪应急发[2023]10号）")
        .replace("某某园区", "另一园区"), encoding="utf-8")
    out = tmp_path / "out"
    run_batch([inputs], out, quiet=True)
    docs = pq_out.read_table(out, "documents").to_pylist()
    by_path = {Path(d["source_path"]).parent.name + "/" + Path(d["source_path"]).name: d for d in docs}
    cited_a, cited_b = by_path["site_a/cited.txt"], by_path["site_b/cited.txt"]
    assert cited_a["doc_id"] != cited_b["doc_id"] and cited_a["notice_key"] == cited_b["notice_key"]
    assert by_path["site_a/citing.txt"]["notice_key"] != cited_a["notice_key"]
    assert all(d["ocr"] is False and d["ocr_confidence"] is None for d in docs)
    refs = {r["doc_id"]: r for r in pq_out.read_table(out, "references").to_pylist()}
    by_title = refs[by_path["site_a/citing.txt"]["doc_id"]]
    by_number = refs[by_path["site_a/citing_number.txt"]["doc_id"]]
    for ref in (by_title, by_number):
        assert ref["cited_notice_key"] == cited_a["notice_key"]
        assert ref["cited_doc_id"] in (cited_a["doc_id"], cited_b["doc_id"])
    assert by_number["cited_number"] == "涪应急发〔2023〕10号" and by_number["rule"] == "doc_number"
    assert by_title["cited_number"] is None and by_title["rule"] == "title"
    # the span points into the document's text
    text = {r["doc_id"]: r["text"] for r in pq_out.read_table(out, "texts").to_pylist()}[by_title["doc_id"]]
    assert text[by_title["char_start"]:by_title["char_end"]].startswith("《涪陵区应急管理局关于印发")


def test_every_reference_of_the_seeds_names_a_declared_rule():
    from policyparse.gazetteer import load_yaml

    declared = {"title"} | {r["id"] for r in load_yaml("patterns/reference.yaml")["numbers"]}
    refs = [r for p in sorted(SEEDS.glob("*.txt")) for r in parse_file(p).references]
    assert len(refs) >= 15 and {r.rule for r in refs} <= declared
    assert {"doc_number", "order_number", "standard_number", "title"} == {r.rule for r in refs}


@pytest.mark.slow
def test_every_rendering_of_a_seed_shares_its_notice_key_and_scans_say_ocr(corpus_output):
    docs = pq_out.read_table(corpus_output, "documents").to_pylist()
    keys: dict[str, set[str]] = {}
    for d in docs:
        keys.setdefault(Path(d["source_path"]).name[:3], set()).add(d["notice_key"])
        scanned = "/scan/" in d["source_path"].replace("\\", "/")
        assert d["ocr"] is scanned
        if scanned:
            assert 0.5 < d["ocr_confidence"] <= 1.0
        else:
            assert d["ocr_confidence"] is None
    # PDF, scan, web page, DOCX, .doc, GBK text …: one notice each
    assert len(keys) == 5 and all(len(k) == 1 for k in keys.values())
    assert len({next(iter(k)) for k in keys.values()}) == 5


def test_a_short_back_reference_is_no_citation():
    refs = find_references("认真落实《纲要》确定的目标，按照《报告》要求，贯彻《安全生产法》。")
    assert [r.title for r in refs] == ["安全生产法"]
