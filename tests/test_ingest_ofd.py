"""OFD (GB/T 33190) reader on small OFD packages built here."""
from __future__ import annotations

import io
import zipfile

import pytest

from policyparse.errors import CorruptFileError
from policyparse.ingest import detect_format, read_bytes
from policyparse.ingest.ofd import expand_delta

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def text_object(oid: int, x: float, y: float, text: str, size: float = 5.6, font: int = 3,
                color: str | None = None, step: float | None = None) -> str:
    """One TextObject: a box at (x, y) mm with the glyph run at its baseline."""
    step = step or size
    width = step * len(text)
    fill = f'<ofd:FillColor Value="{color}"/>' if color else ""
    delta = f'g {len(text) - 1} {step}' if len(text) > 1 else ""
    return (f'<ofd:TextObject ID="{oid}" Boundary="{x} {y} {width} {size * 1.2}" Font="{font}" Size="{size}">'
            f'{fill}<ofd:TextCode X="0" Y="{size}" DeltaX="{delta}">{text}</ofd:TextCode></ofd:TextObject>')


def build_ofd(pages: list[list[str]], *, doc_root: str = "Doc_0/Document.xml", broken_page: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD">'
                    f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID><ofd:Title>测试通知</ofd:Title></ofd:DocInfo>'
                    f'<ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        page_refs = "".join(f'<ofd:Page ID="{10 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        zf.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}>'
                    f'<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                    f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>'
                    f'<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>')
        zf.writestr("Doc_0/PublicRes.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res">'
                    f'<ofd:Fonts><ofd:Font ID="3" FontName="仿宋_GB2312" FamilyName="仿宋"/>'
                    f'<ofd:Font ID="4" FontName="方正小标宋简体"/><ofd:Font ID="5" FontName="黑体"/></ofd:Fonts></ofd:Res>')
        for i, objects in enumerate(pages):
            body = "".join(objects)
            xml = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content>'
                   f'<ofd:Layer ID="{50 + i}">{body}</ofd:Layer></ofd:Content></ofd:Page>')
            if broken_page and i == 0:
                xml = xml[:-30]
            zf.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", xml)
    return out.getvalue()


LEFT, RIGHT = 28.0, 184.0  # the type area of an A4 notice (156 mm wide)
BODY = 5.6  # 三号 16 pt = 5.6 mm
PER_LINE = int((RIGHT - LEFT) / BODY)  # 27 characters a full body line


def centred(text: str, size: float) -> float:
    return LEFT + (RIGHT - LEFT - len(text) * size) / 2


def notice_pages() -> list[list[str]]:
    para = "为切实做好今年安全生产工作，根据上级部署，结合我区实际，现就有关事项通知如下，请认真贯彻落实到位。"
    first, rest = para[:PER_LINE - 2], para[PER_LINE - 2:]
    page1 = [
        text_object(1, centred("某某区应急管理局文件", 12.0), 30.0, "某某区应急管理局文件", size=12.0, font=4,
                    color="255 0 0"),
        text_object(2, centred("某应急发〔2023〕5号", BODY), 60.0, "某应急发〔2023〕5号", size=BODY),
        text_object(3, centred("关于做好安全生产工作的通知", 7.7), 80.0, "关于做好安全生产工作的通知", size=7.7, font=4),
        text_object(4, LEFT, 100.0, "各街道办事处：", size=BODY),
        # an indented first line that runs to the right edge, then its continuation
        text_object(5, LEFT + 2 * BODY, 110.0, first, size=BODY),
        text_object(6, LEFT, 120.0, rest, size=BODY),
        # one line written as two objects (a font change mid-line) is still one line
        text_object(7, LEFT + 2 * BODY, 130.0, "一、", size=BODY, font=5),
        text_object(8, LEFT + 4 * BODY, 130.0, "压实责任。", size=BODY),
    ]
    page2 = [
        text_object(9, RIGHT - 10 * BODY, 40.0, "某某区应急管理局", size=BODY),
        # the date 右空四字, its digits half-width
        text_object(10, RIGHT - 4 * BODY - (9 * BODY / 2 + BODY), 50.0, "2023年3月1日", size=BODY, step=BODY / 2),
    ]
    return [page1, page2]


def test_ofd_is_detected_and_read_in_reading_order():
    data = build_ofd(notice_pages())
    assert detect_format(data, "n.ofd") == "ofd"
    doc = read_bytes(data, "n.ofd")
    assert doc.source_format == "ofd"
    assert doc.text.split("\n") == [
        "某某区应急管理局文件", "某应急发〔2023〕5号", "关于做好安全生产工作的通知", "各街道办事处：",
        "为切实做好今年安全生产工作，根据上级部署，结合我区实际，现就有关事项通知如下，请认真贯彻落实到位。",
        "一、压实责任。", "某某区应急管理局", "2023年3月1日"]
    assert [p.number for p in doc.pages] == [1, 2]
    assert [b.page for b in doc.blocks] == [1, 1, 1, 1, 1, 1, 2, 2]
    assert doc.meta.extra["ofd_info"]["title"] == "测试通知"


def test_ofd_style_hints():
    doc = read_bytes(build_ofd(notice_pages()), "n.ofd")
    mark, number, title, salutation = doc.blocks[:4]
    assert mark.style["color"] == "FF0000" and mark.style["align"] == "center"
    assert mark.style["font"] == "方正小标宋简体"
    assert number.style["align"] == "center" and number.style["size"] == pytest.approx(15.9, abs=0.2)
    assert salutation.style["align"] == "left"
    assert doc.blocks[-1].style["align"] == "right"


def test_expand_delta():
    assert expand_delta("g 3 2.5 1 g 2 0.5") == [2.5, 2.5, 2.5, 1.0, 0.5, 0.5]
    assert expand_delta("") == []


def test_ofd_without_document_part_is_corrupt():
    with pytest.raises(CorruptFileError, match="Document"):
        read_bytes(build_ofd(notice_pages(), doc_root="Doc_9/Document.xml"), "bad.ofd")


def test_ofd_with_broken_page_xml_is_corrupt():
    with pytest.raises(CorruptFileError, match="well-formed"):
        read_bytes(build_ofd(notice_pages(), broken_page=True), "bad.ofd")
