"""Builders of hostile and broken files for the bad-input suite (tests/test_hostile.py).
Every file is made here, by the tests, from a few bytes of code: nothing is downloaded."""
from __future__ import annotations

import io
import zipfile
import zlib


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_recursive_xobject() -> bytes:
    """A page that draws form X1, which draws X2, which draws X1 (and itself)."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X1 5 0 R >> >> >>",
        stream(b"/X1 Do"),
        stream(b"/X2 Do /X1 Do", b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
               b"/Resources << /XObject << /X1 5 0 R /X2 6 0 R >> >>"),
        stream(b"/X1 Do /X2 Do", b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
               b"/Resources << /XObject << /X1 5 0 R /X2 6 0 R >> >>"),
    ])


def pdf_content_bomb(mb: int = 400) -> bytes:
    """A page whose compressed content stream inflates to ``mb`` MB of operators."""
    body = b"0 0 m 1 1 l S\n" * (mb * 2**20 // 14)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(body, compress=True),
    ])


def zip_bytes(parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


# ----------------------------------------------------------------------------- DOCX
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOOD_DOCX = ROOT / "corpus" / "renderings" / "docx" / "000_3b1496d5f7dcc5e1.docx"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_parts() -> dict[str, bytes]:
    zf = zipfile.ZipFile(GOOD_DOCX)
    return {n: zf.read(n) for n in zf.namelist()}


def docx_with_body(body: str, extra_parts: dict[str, bytes] | None = None) -> bytes:
    parts = docx_parts()
    parts["word/document.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                  f'<w:document {W_NS}><w:body>{body}</w:body></w:document>').encode()
    parts.update(extra_parts or {})
    return zip_bytes(parts)


def para(text: str, extra: str = "") -> str:
    return f"<w:p>{extra}<w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_zip_bomb(mb: int = 80) -> bytes:
    parts = docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"] + b" " * (mb * 2**20)
    return zip_bytes(parts)


def docx_grid_span() -> bytes:
    row = ('<w:tr><w:trPr><w:gridBefore w:val="2000000000"/></w:trPr><w:tc><w:tcPr>'
           '<w:gridSpan w:val="2000000000"/></w:tcPr>' + para("甲") + "</w:tc></w:tr>")
    return docx_with_body(para("关于开展检查的通知") + f"<w:tbl>{row * 50}</w:tbl>")


def docx_numbering_start() -> bytes:
    numbering = (f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W_NS}><w:abstractNum w:abstractNumId="0">'
                 '<w:lvl w:ilvl="0"><w:start w:val="999999999"/><w:numFmt w:val="chineseCounting"/>'
                 '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>').encode()
    num = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
    return docx_with_body(para("关于开展检查的通知") + para("加强组织领导", num) * 20,
                          {"word/numbering.xml": numbering})


def docx_nested_tables(depth: int = 600) -> bytes:
    inner = para("最内层")
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>" + para("")
    return docx_with_body(para("关于开展检查的通知") + inner)


def docx_xxe() -> bytes:
    parts = docx_parts()
    parts["word/document.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<w:document ' + W_NS.encode() + b'><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>')
    return zip_bytes(parts)


def billion_laughs(root: bytes = b"<lolz>&lol9;</lolz>") -> bytes:
    ents = b'<!ENTITY lol "lol">'
    for i in range(1, 10):
        prev = b"lol" if i == 1 else b"lol%d" % (i - 1)
        ents += b'<!ENTITY lol%d "%s">' % (i, (b"&" + prev + b";") * 10)
    return b'<?xml version="1.0"?><!DOCTYPE lolz [' + ents + b"]>" + root


def docx_billion_laughs(part: str = "word/styles.xml") -> bytes:
    parts = docx_parts()
    parts[part] = billion_laughs()
    return zip_bytes(parts)


def docx_path_traversal_and_duplicates() -> bytes:
    """Entries named ../../evil and /etc/cron.d/x, and word/document.xml twice: the reader
    never writes a member to disk and reads one document.xml."""
    parts = docx_parts()
    out = io.BytesIO()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
            zf.writestr("../../policyparse_evil.txt", b"escaped")
            zf.writestr("/tmp/policyparse_evil_abs.txt", b"escaped")
            zf.writestr("word/document.xml", parts["word/document.xml"])
    return out.getvalue()


def docm_with_macros() -> bytes:
    """A macro-enabled document with a VBA project and an embedded OLE object: read as
    text; nothing in them is ever run or opened."""
    parts = docx_parts()
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name AutoOpen Shell" * 50
    parts["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    return zip_bytes(parts)


def docx_many_paragraphs(n: int = 100_000) -> bytes:
    body = para("关于开展检查的通知") + "".join(para(f"第{i}项：做好检查工作。") for i in range(n))
    return docx_with_body(body)


# ----------------------------------------------------------------------------- OFD
def ofd(pages: int = 1, delta: str = "", text: str = "关于开展检查的通知") -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
                    f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>'
                    f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        refs = "".join(f'<ofd:Page ID="{10 + i}" BaseLoc="Pages/Page_0/Content.xml"/>' for i in range(pages))
        zf.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}>'
                    f'<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297'
                    f'</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
        zf.writestr("Doc_0/Pages/Page_0/Content.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="50">'
                    f'<ofd:TextObject ID="60" Boundary="28 40 156 7" Font="3" Size="5.6">'
                    f'<ofd:TextCode X="0" Y="5.6" DeltaX="{delta}">{text}</ofd:TextCode></ofd:TextObject>'
                    f'</ofd:Layer></ofd:Content></ofd:Page>')
    return out.getvalue()


# ----------------------------------------------------------------------------- HTML
def html_page(body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title></head>'
            f"<body>{body}</body></html>").encode("utf-8")


def html_span_bomb() -> bytes:
    row = "<tr>" + '<td colspan="1000" rowspan="1000">甲</td>' * 100 + "</tr>"
    return html_page("<p>关于开展检查的通知</p><table>" + row * 100 + "</table>")


def html_nested_tables(depth: int = 600) -> bytes:
    return html_page("<p>关于开展检查的通知</p>" + "<table><tr><td>" * depth + "最内层" + "</td></tr></table>" * depth)


def html_scripts_and_frames() -> bytes:
    return html_page('<script>fetch("http://example.invalid/x");document.write("脚本内容")</script>'
                     '<iframe src="http://example.invalid/frame"></iframe><frameset><frame src="http://example.invalid/f">'
                     '</frameset><p>关于开展安全检查的通知</p><p>各单位：</p>'
                     '<p>一、加强组织领导。牵头单位：区应急管理局。2024年6月底前完成。</p>'
                     '<img src="http://example.invalid/i.png"><link rel="stylesheet" href="http://example.invalid/s.css">')


# ----------------------------------------------------------------------------- PDF
def pdf_blank_page(width_in: float = 200, height_in: float = 11) -> bytes:
    """An image-free page with no text, declared ``width_in`` inches wide: a scan to OCR."""
    w, h = width_in * 72, height_in * 72
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>" % (w, h),
        stream(b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (w, h)),
        stream(b"\x80\x80\x80\x80", b" /Type /XObject /Subtype /Image /Width 2 /Height 2 "
               b"/ColorSpace /DeviceGray /BitsPerComponent 8"),
    ])


def rtf_deep_groups(depth: int = 200_000) -> bytes:
    return b"{\\rtf1\\ansi " + b"{" * depth + b"text" + b"}" * depth + b"}"


def pdf_ruled_grid(lines: int = 2000, cols: int = 5) -> bytes:
    """One tall page ruled into ``lines`` rows by ``cols`` columns, a number in each row."""
    row_h = 12.0
    height = lines * row_h + 72
    ops = [b"0.5 w"]
    for i in range(lines + 1):
        y = 36 + i * row_h
        ops.append(b"36 %.1f m 536 %.1f l S" % (y, y))
    for j in range(cols + 1):
        x = 36 + j * 100
        ops.append(b"%d 36 m %d %.1f l S" % (x, x, 36 + lines * row_h))
    ops.append(b"BT /F1 8 Tf")
    for i in range(lines):
        ops.append(b"1 0 0 1 40 %.1f Tm (Task %d) Tj" % (38 + i * row_h, i))
    ops.append(b"ET")
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 %.1f] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % height,
        stream(b"\n".join(ops)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def pdf_page_tree_repeats(kids: bytes = b"3 0 R 3 0 R 3 0 R 2 0 R", count: int = 4) -> bytes:
    """A one-page notice whose page tree lists its page three times and itself once."""
    lines = ["Guanyu kaizhan anquan jiancha de tongzhi", "1. Jiaqiang zuzhi lingdao. 2024-06-30",
             "2. Luoshi gongzuo zeren. 2024-09-30"]
    body = b"BT /F1 12 Tf 14 TL 72 760 Td " + b" ".join(b"(%s) '" % l.encode() for l in lines) + b" ET"
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                stream(body), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def pdf_font_without_tounicode() -> bytes:
    """Page 1 readable (Helvetica), page 2 set in a CID font with no ToUnicode map: its
    text layer is glyph codes (mojibake) although the printed page would be readable."""
    readable = (b"BT /F1 12 Tf 14 TL 72 760 Td (Guanyu kaizhan anquan jiancha de tongzhi) ' "
                b"(1. Jiaqiang zuzhi lingdao. 2024-06-30) ' ET")
    codes = b"BT /F2 14 Tf 72 760 Td <" + b"0012003400560078009a00bc00de00f0" * 6 + b"> Tj ET"
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> >>")
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        page % 5, page % 6, stream(readable), stream(codes),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /XYZABC+FZFSK /Encoding /Identity-H /DescendantFonts [9 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZABC+FZFSK /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 10 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /XYZABC+FZFSK /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ])
