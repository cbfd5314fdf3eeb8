"""HTML article pages: decoding, article extraction without furniture, metadata, tables, styles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyparse.ingest import read_bytes, read_file
from policyparse.ingest.html import declared_charset, info_bar_fields
from textcheck import recovery

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "renderings"
SEEDS = ROOT / "corpus" / "seeds"
HTML_FILES = sorted((CORPUS / "html").glob("*.html"))

# Minimum in-order recovery of the seed text per page: the bar of issue 2. 000 shows its
# title as the page <h1> above the red 发文机关标志 and 发文字号; the reader puts it back
# below them, as the notice orders them. 003's 发布日期/信息来源 line is the site's info
# bar (page furniture), within the 1% allowed.
MIN_RECOVERY = {"000": 0.99, "001": 0.99, "002": 0.99, "003": 0.99, "004": 0.99}

FURNITURE = ["当前位置", "首页", "政务公开", "浏览量", "打印本页", "关闭窗口", "分享到", "相关文章",
             "网站地图", "主办单位", "网站标识码", "ICP备", "无障碍浏览", "请输入关键字"]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.stem[:3])
def test_corpus_html_recovers_seed_text_without_furniture(path):
    doc = read_file(path)
    assert doc.source_format == "html"
    seed = (SEEDS / f"{path.stem}.txt").read_text(encoding="utf-8")
    assert recovery(seed, doc.text) >= MIN_RECOVERY[path.stem[:3]]
    for word in FURNITURE:
        if word not in seed:
            assert word not in doc.text, word


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.stem[:3])
def test_corpus_html_metadata_and_title_in_its_place(path):
    """The page title comes first, or right below the 版头 (「…文件」, 发文字号) where the
    article opens with one, as the printed notice orders them."""
    doc = read_file(path)
    titled = [b for b in doc.blocks if b.style.get("role") == "page_title"]
    assert len(titled) == 1
    first = titled[0]
    above = [doc.block_text(b) for b in doc.blocks[:doc.blocks.index(first)]]
    assert all(t.endswith("文件") or re.search(r"〔\d{4}〕\d+号$", t) for t in above), above
    assert first.style == {"align": "center", "role": "page_title"}
    assert doc.block_text(first) == doc.meta.page_title
    assert len(doc.meta.page_title) >= 10
    assert doc.meta.published_date.year >= 2000
    assert doc.meta.info_source and "浏览" not in doc.meta.info_source
    # the title is written once
    assert doc.text.count(doc.meta.page_title) == 1


def test_gb18030_page_labelled_gb2312():
    path = CORPUS / "html" / "002_6cf0c48ced16b0a2.html"
    data = path.read_bytes()
    assert declared_charset(data) == "gb2312"
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # the label is wrong: the page has characters beyond GB2312
    doc = read_file(path)
    assert doc.meta.encoding == "gb18030"
    assert "\ufffd" not in doc.text
    assert "重点工作清单" in doc.text


def test_corpus_html_table_with_section_rows():
    doc = read_file(CORPUS / "html" / "002_6cf0c48ced16b0a2.html")
    tables = [b.table for b in doc.tables()]
    assert len(tables) == 1
    t = tables[0]
    assert t.n_cols == 7
    assert sum(1 for c in t.cells if c.colspan == 7) == 6


def test_corpus_html_style_hints():
    doc = read_file(CORPUS / "html" / "000_3b1496d5f7dcc5e1.html")
    mark = doc.blocks[0]  # the red 发文机关标志 opens the notice; the page title follows the 版头
    assert doc.block_text(mark).endswith("文件")
    assert mark.style["color"] == "FF0000" and mark.style["align"] == "center" and mark.style["bold"]
    word_pasted = read_file(CORPUS / "html" / "001_2bc76009f1065234.html")
    sizes = {b.style.get("size") for b in word_pasted.blocks if b.kind == "paragraph"}
    assert 16.0 in sizes and 22.0 in sizes  # 三号 body, 二号 title from inline font-size
    fonts = {b.style.get("font") for b in word_pasted.blocks}
    assert "仿宋_GB2312" in fonts  # the font name keeps its case


OLD_CMS_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>某某县人民政府办公室关于做好防汛工作的通知_某某县人民政府</title></head>
<body>
<table width="100%"><tr><td class="top_nav"><a href="/">首页</a> <a href="/a">机构设置</a> <a href="/b">政务公开</a>
<a href="/c">办事服务</a> <a href="/d">互动交流</a> <a href="/e">专题专栏</a></td></tr></table>
<table width="1000"><tr>
<td width="200" valign="top"><ul><li><a href="/1">通知公告</a></li><li><a href="/2">政策文件</a></li>
<li><a href="/3">规划计划</a></li><li><a href="/4">人事信息</a></li></ul></td>
<td valign="top">
 <div align="center"><font size="5"><b>某某县人民政府办公室关于做好防汛工作的通知</b></font></div>
 <div>发布时间：2021年5月6日 &nbsp; 来源：县政府办公室 &nbsp; 点击数：233</div>
 <div class="TRS_Editor">
  <p>各乡镇人民政府，县政府各部门：</p>
  <p style="text-indent:2em">为切实做好今年防汛工作，确保人民群众生命财产安全，现就有关事项通知如下。</p>
  <p style="text-indent:2em">一、压实防汛责任。各乡镇要落实行政首长负责制，逐级明确责任人。</p>
  <div>二、加强隐患排查。<br>三、做好应急准备。<br>四、严格值班值守。</div>
  <table border="1"><tr><td>序号</td><td>任务</td><td>责任单位</td></tr>
   <tr><td rowspan="2">1</td><td>排查隐患</td><td>县水利局</td></tr>
   <tr><td>转移群众</td><td>各乡镇</td></tr></table>
  <p align="right"><font color="red">某某县人民政府办公室</font></p>
 </div>
</td></tr></table>
<div class="bottom">版权所有：某某县人民政府 地址：某某路1号</div>
</body></html>"""


def test_old_cms_page_with_layout_tables():
    doc = read_bytes(OLD_CMS_PAGE.encode("gbk"), "old.htm")
    assert doc.meta.encoding == "gb18030"
    assert doc.meta.page_title == "某某县人民政府办公室关于做好防汛工作的通知"
    assert doc.meta.published_date.isoformat() == "2021-05-06"
    assert doc.meta.info_source == "县政府办公室"
    lines = doc.text.split("\n")
    assert lines[0] == "某某县人民政府办公室关于做好防汛工作的通知"
    assert lines[1] == "各乡镇人民政府，县政府各部门："
    # br-separated items in a bare div are one paragraph each
    assert "二、加强隐患排查。" in lines and "三、做好应急准备。" in lines
    for word in ("机构设置", "通知公告", "版权所有", "点击数"):
        assert word not in doc.text
    tables = [b.table for b in doc.tables()]
    assert len(tables) == 1
    grid = tables[0].grid()
    assert grid[1][0].rowspan == 2 and grid[2][0] is grid[1][0]
    assert doc.text[grid[2][1].start:grid[2][1].end] == "转移群众"
    sign = doc.blocks[-1]
    assert doc.block_text(sign) == "某某县人民政府办公室"
    assert sign.style["align"] == "right" and sign.style["color"] == "FF0000"


PLAIN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title>
<meta name="ArticleTitle" content="市应急管理局关于开展安全生产月活动的通知">
<meta name="PubDate" content="2024/06/01 09:00"><meta name="ContentSource" content="市应急管理局"></head>
<body><header><a href="/">首页</a></header>
<div id="a1"><div id="a2">
<h1>市应急管理局关于开展安全生产月活动的通知</h1>
<p>各区县应急管理局：</p>
<p><span style="font-size:21px">根据国务院安委会办公室部署，决定在全市开展安全生产月活动。</span></p>
<p>（一）广泛开展宣传。</p><p>（二）组织应急演练。</p>
</div></div>
<div id="side"><h3>热点</h3><a href="/x">一条很长的热点新闻标题在这里出现</a><a href="/y">另一条很长的热点新闻标题</a>
<a href="/z">第三条很长的热点新闻标题在此处</a></div>
<footer>网站标识码 123</footer></body></html>"""


def test_content_found_by_text_density_and_meta():
    doc = read_bytes(PLAIN_PAGE.encode("utf-8"), "p.html")
    assert doc.meta.published_date.isoformat() == "2024-06-01"
    assert doc.meta.info_source == "市应急管理局"
    assert doc.text.split("\n") == [
        "市应急管理局关于开展安全生产月活动的通知", "各区县应急管理局：",
        "根据国务院安委会办公室部署，决定在全市开展安全生产月活动。", "（一）广泛开展宣传。", "（二）组织应急演练。"]
    assert doc.blocks[2].style["size"] == 15.8  # 21 px = 15.75 pt


def test_bom_beats_a_wrong_meta_charset():
    page = '<html><head><meta charset="gbk"></head><body><div class="content"><p>关于印发工作要点的通知正文内容</p></div></body></html>'
    doc = read_bytes(b"\xef\xbb\xbf" + page.encode("utf-8"), "b.html")
    assert "关于印发工作要点的通知正文内容" in doc.text


def test_info_bar_fields():
    got = info_bar_fields("发布日期：2023-04-04 14:45 信息来源：某区应急管理局 浏览量：12 【字号：大 中 小】")
    assert got == {"published_date": "2023-04-04", "info_source": "某区应急管理局"}


def test_page_without_article_warns():
    doc = read_bytes(b"<html><body><nav><a href='/'>\xe9\xa6\x96\xe9\xa1\xb5</a></nav></body></html>", "e.html")
    assert doc.warnings


GOV_POLICY_PAGE = """<html><head><meta charset="utf-8"><title>关于印发工作要点的通知_政策文件</title></head><body>
<div class="header"><div class="logo">某省人民政府</div></div>
<div class="wrap"><div class="article">
<table class="bd1"><tbody>
<tr><td>索引号：</td><td>000014349/2023-00012</td><td>主题分类：</td><td>安全生产监管</td></tr>
<tr><td>发文机关：</td><td>某省应急管理厅</td><td>成文日期：</td><td>2023年02月20日</td></tr>
<tr><td>标题：</td><td colspan="3">关于印发工作要点的通知</td></tr>
<tr><td>发文字号：</td><td>某应急〔2023〕8号</td><td>发布日期：</td><td>2023年02月24日</td></tr>
</tbody></table>
<h1>关于印发工作要点的通知</h1>
<div class="pages_content"><p>各市应急管理局：</p><p>现将工作要点印发给你们，请认真贯彻落实。</p>
<p>某省应急管理厅</p><p>2023年2月20日</p></div>
</div></div>
<div class="sidebar"><p>这里是一段很长的无链接侧栏说明文字，介绍网站的栏目设置和服务事项，内容与通知无关。</p>
<p>另一段很长的侧栏说明文字，用来检验侧栏即使没有链接也不会被当作正文读入。</p></div>
<div class="footer"><p>主办单位：某省人民政府办公厅 承办单位：某省大数据中心 地址：某市某路一号 邮编：100000</p></div>
</body></html>"""


def test_metadata_table_is_metadata_not_text():
    doc = read_bytes(GOV_POLICY_PAGE.encode("utf-8"), "gov.html")
    assert doc.meta.published_date.isoformat() == "2023-02-24"  # 发布日期, not 成文日期
    assert doc.meta.extra["info_table"]["发文字号"] == "某应急〔2023〕8号"
    assert not list(doc.tables())
    assert doc.text.split("\n") == ["关于印发工作要点的通知", "各市应急管理局：", "现将工作要点印发给你们，请认真贯彻落实。",
                                    "某省应急管理厅", "2023年2月20日"]


def test_short_notice_beside_long_plain_sidebar():
    page = GOV_POLICY_PAGE.replace('class="pages_content"', 'id="c1"').replace('class="article"', 'id="a9"')
    doc = read_bytes(page.encode("utf-8"), "gov2.html")
    assert "侧栏" not in doc.text and "主办单位" not in doc.text
    assert "现将工作要点印发给你们，请认真贯彻落实。" in doc.text.split("\n")


def test_info_bar_does_not_take_a_date_from_another_label():
    got = info_bar_fields("成文日期：2023-02-20 来源：某局")
    assert "published_date" not in got and got["info_source"] == "某局"


def test_doctype_alone_is_empty():
    from policyparse.errors import EmptyFileError
    with pytest.raises(EmptyFileError):
        read_bytes(b"<!DOCTYPE html>\n", "d.html")


def test_info_bar_inside_the_article_and_word_islands_are_dropped():
    page = """<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="区应急局关于开展隐患排查的通知">
    </head><body><div class="article">
    <h1>关于开展隐患排查的通知</h1>
    <div class="meta-line">发布时间：2023-05-06 来源：区应急局 作者：办公室</div>
    <xml><w:WordDocument>Normal 0 7.8 磅 0 2 false</w:WordDocument></xml>
    <p class="MsoNormal">各街道：<o:p></o:p></p>
    <p class="MsoNormal">&nbsp;&nbsp;　　请于5月底前完成隐患排查。<o:p>&nbsp;</o:p></p>
    <p>时间：2023年5月31日前</p>
    </div></body></html>"""
    doc = read_bytes(page.encode("utf-8"), "w.html")
    assert doc.text.split("\n") == ["区应急局关于开展隐患排查的通知", "各街道：", "请于5月底前完成隐患排查。",
                                    "时间：2023年5月31日前"]
    assert doc.meta.published_date.isoformat() == "2023-05-06" and doc.meta.info_source == "区应急局"


def test_logo_heading_is_not_the_title():
    page = """<html><head><meta charset="utf-8"><title>x</title></head><body>
    <div class="header"><h1 class="logo">某某市人民政府门户网站</h1></div>
    <div id="main"><h1>关于开展防汛检查的通知</h1><p>各区县：现就防汛检查有关事项通知如下，请遵照执行。</p></div>
    </body></html>"""
    doc = read_bytes(page.encode("utf-8"), "l.html")
    assert doc.meta.page_title == "关于开展防汛检查的通知"
    assert "门户网站" not in doc.text
    assert doc.text.count("关于开展防汛检查的通知") == 1


def test_table_caption_is_kept_before_the_table():
    page = """<html><body><div class="content"><p>现将任务分解如下，请各单位认真落实。</p>
    <table><caption style="text-align:center">重点任务分解表</caption>
    <thead><tr><th>序号</th><th>任务</th><th>责任单位</th></tr></thead>
    <tbody><tr><td>1</td><td>开展隐患排查</td><td>区应急局</td></tr></tbody></table></div></body></html>"""
    doc = read_bytes(page.encode("utf-8"), "c.html")
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "table"]
    assert doc.block_text(doc.blocks[1]) == "重点任务分解表"
    assert doc.blocks[1].style["align"] == "center"
    assert doc.blocks[2].table.n_rows == 2


def test_long_menu_does_not_outweigh_a_named_article():
    menu = "".join(f"<li>栏目名称第{i}项说明</li>" for i in range(60))  # plain text, no links
    page = (f'<html><body><div class="nav"><ul>{menu}</ul></div>'
            '<div class="TRS_Editor"><p>各有关单位：</p><p>请按要求报送年度安全生产工作总结。</p></div></body></html>')
    doc = read_bytes(page.encode("utf-8"), "m.html")
    assert doc.text.split("\n") == ["各有关单位：", "请按要求报送年度安全生产工作总结。"]


def test_xhtml_encoding_from_the_xml_declaration():
    page = ('<?xml version="1.0" encoding="gbk"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            '<div class="content"><p>关于做好安全生产工作的通知——全文</p></div></body></html>')
    assert declared_charset(page.encode("gbk")) == "gbk"
    doc = read_bytes(page.encode("gbk"), "x.xhtml")
    assert doc.meta.encoding == "gb18030" and "关于做好安全生产工作的通知——全文" in doc.text


def test_two_column_layout_table_is_not_a_data_table():
    nav = "".join(f"<div>栏目介绍文字第{i}段内容较长</div>" for i in range(8))
    page = ("<html><body><table><tr>"
            f"<td>{nav}</td>"
            "<td><p>各区县人民政府：</p><p>现将有关事项通知如下。</p><p>一、提高认识。</p><p>二、加强领导。</p></td>"
            "</tr></table></body></html>")
    doc = read_bytes(page.encode("utf-8"), "lay.html")
    assert not list(doc.tables())
    assert "一、提高认识。" in doc.text.split("\n")


def test_a_page_body_saved_as_text_is_read_as_html():
    """A CMS's content field exported as text: <p> paragraphs without <html> or <body>."""
    from policyparse.ingest import detect_format

    body = ("<p>\n\t为深入贯彻科学发展观，提出以下实施意见。</p><p align=\"left\">\n\t　　一、总体目标</p>"
            "<p align=\"left\">\n\t　　1.目标。5年内重点引进2000名人才。（牵头单位：市人才办）</p>"
            "<p align=\"left\">\n\t　　2.项目。培养100名企业家。（牵头单位：市委组织部，配合单位：市国资委）</p>")
    data = body.encode("utf-8")
    assert detect_format(data, "x.txt") == "html"
    doc = read_bytes(data, "x.txt")
    assert "<p" not in doc.text and "1.目标。" in doc.text
    # plain text that mentions a tag is still text
    assert detect_format("一、在网页中用<p>标签分段。\n二、其他。\n".encode("utf-8"), "y.txt") == "txt"
