"""Notices in traditional characters are read through a simplified shadow of the same
length; every record keeps the document's own characters."""
from __future__ import annotations

from policyparse.hanzi import is_traditional, restore, to_simplified
from policyparse.pipeline import parse_bytes

TRADITIONAL = ("某縣人民政府關於印發2024年重點工作任務的通知\n"
               "各鄉鎮人民政府，縣政府各部門：\n"
               "一、推進重大項目建設\n"
               "1.加快鐵路建設，今年投資30億元，每季度至少調度1次。（責任單位：縣發改委、縣交通運輸局）\n"
               "2.實施農村公路改造100公里，年底前完成。（縣交通運輸局牽頭，各鄉鎮人民政府配合）\n")


def test_shadow_keeps_length_and_is_only_used_for_traditional_text():
    shadow = to_simplified(TRADITIONAL)
    assert len(shadow) == len(TRADITIONAL) and "关于" in shadow and "责任单位" in shadow
    assert is_traditional(TRADITIONAL, shadow)
    simplified = "某县人民政府关于印发工作要点的通知"
    assert not is_traditional(simplified, to_simplified(simplified))
    assert restore("责任单位", shadow, TRADITIONAL) == "責任單位"


def test_traditional_notice_gives_records_in_its_own_characters():
    doc = parse_bytes(TRADITIONAL.encode("utf-8"), "trad.txt")
    assert doc.text == TRADITIONAL.strip()  # the text is the document's, not the shadow
    assert doc.header.title == "某縣人民政府關於印發2024年重點工作任務的通知"
    assert len(doc.tasks) == 2
    first, second = doc.tasks
    assert [(u.role, u.unit) for u in first.units] == [("lead", "縣發改委"), ("lead", "縣交通運輸局")]
    assert [f.period for f in first.frequencies] == ["quarter"]
    assert [(t.value, t.unit) for t in first.targets] == [(30.0, "億元")]
    assert ("support", "各鄉鎮人民政府") in [(u.role, u.unit) for u in second.units]
    assert [d.raw for d in second.deadlines] == ["年底前"]
    for t in doc.tasks:
        for u in t.units:
            assert doc.text[u.start:u.end] == u.unit
