"""Resolve a notice's issuer to its GB/T 2260 division (county level where there is one).

The division list is ``gazetteers/divisions.csv`` (code6, province, city, county,
level); the weights, suffixes and zone words are the ``region`` section of
``gazetteers/header.yaml``.

How: every place name in the issuer, title, web metadata, the prefixes of cited
发文字号 and the body text is found by a leftmost-longest scan (雨花台区 is never
read as 雨花区; 长沙市雨花区 is never read as 沙市). A county named in the issuer
wins, restricted to the province/city the issuer also names (重庆市正阳工业园区 is
not 河南 正阳县). An issuer that is a development zone or park (高新区, 工业园区…)
belongs to the district it sits in: the county mentions across the document are
scored, weighted by where they stand, and a county name shared by several places
(江北区, 城区…) counts only where its city or province is named too.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from ..errors import GazetteerError
from ..gazetteer import load_csv
from ..model import Document, Header, Region

DIVISIONS = "divisions.csv"


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    province: str
    city: str | None
    county: str | None
    level: str  # province | city | county

    @property
    def name(self) -> str:
        return {"county": self.county, "city": self.city}.get(self.level) or self.province

    def region(self) -> Region:
        return Region(self.code, self.province, self.city, self.county)


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    divisions: tuple[Division, ...]
    short: bool
    start: int
    end: int


class PlaceIndex:
    """Every division's full name and its unambiguous short form, scanned leftmost-longest."""

    def __init__(self, divisions: list[Division], cfg: dict):
        self.divisions = divisions
        self.cfg = cfg
        peoples = sorted(cfg["peoples"], key=len, reverse=True)
        self._peoples = re.compile("(?:" + "|".join(map(re.escape, peoples)) + ")族")
        self.full: dict[str, list[Division]] = defaultdict(list)
        for d in divisions:
            self.full[d.name].append(d)
        shorts: dict[str, set[Division]] = defaultdict(set)
        for d in divisions:
            for s in self._short_forms(d):
                shorts[s].add(d)
        stop = set(cfg["short_stoplist"])
        self.short: dict[str, tuple[Division, ...]] = {}
        for s, ds in shorts.items():
            if s in self.full or s in stop or len(s) < cfg["min_short_chars"]:
                continue
            levels = {d.level for d in ds}
            # a short form is kept where it names one division (or one province/city with
            # its own same-named placeholder rows, which cannot happen after the filter)
            if len(ds) == 1 or (len(levels) == 1 and len({d.name for d in ds}) == 1 and levels != {"county"}):
                self.short[s] = tuple(ds)
        self.by_first2: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for name in self.full:
            self.by_first2[name[:2]].append((name, False))
        for name in self.short:
            self.by_first2[name[:2]].append((name, True))
        for lst in self.by_first2.values():
            lst.sort(key=lambda x: len(x[0]), reverse=True)
        self.provinces = {d.province: d for d in divisions if d.level == "province"}
        self.cities = {(d.province, d.city): d for d in divisions if d.level == "city"}

    def _short_forms(self, d: Division) -> list[str]:
        name = d.name
        suffixes = {"county": self.cfg["county_suffixes"], "city": self.cfg["city_suffixes"],
                    "province": self.cfg["province_suffixes"]}[d.level]
        out = []
        for suf in sorted(suffixes, key=len, reverse=True):
            if name.endswith(suf) and len(name) > len(suf):
                stem = name[: -len(suf)]
                if "族" in stem:
                    # 秀山土家族苗族自治县 → 秀山: the place name before the peoples' names
                    stem = self._peoples.split(stem)[0]
                out.append(stem)
                if suf.startswith("自治") and stem:
                    out.append(stem + suf[-1])  # 恩施州, 秀山县: the usual written short form
                break
        return [s for s in out if s and s != name]

    def scan(self, text: str, allow_short: bool) -> list[Mention]:
        out: list[Mention] = []
        i, n = 0, len(text)
        while i < n - 1:
            hit = None
            # a short name (渝北, 涪陵) is read only where a name can start: at the start,
            # after a punctuation mark or right after another place (重庆涪陵…); inside a
            # word it is a word (乡村振兴局 is not 振兴区)
            short_ok = allow_short and (i == 0 or not _is_cjk(text[i - 1])
                                        or bool(out and out[-1].end == i))
            for name, is_short in self.by_first2.get(text[i:i + 2], ()):
                if is_short and not short_ok:
                    continue
                if text.startswith(name, i):
                    if not is_short and name.endswith("区") and text.startswith("域", i + len(name)):
                        continue  # 振兴区域 is a 区域, not 振兴区
                    hit = (name, is_short)
                    break
            if hit is None:
                i += 1
                continue
            name, is_short = hit
            divs = self.short[name] if is_short else tuple(self.full[name])
            out.append(Mention(name, divs, is_short, i, i + len(name)))
            i += len(name)
        return self._drop_generic(out, text)

    def _drop_generic(self, mentions: list[Mention], text: str) -> list[Mention]:
        """A two-character county name is a place only right after its city (城区, 郊区,
        矿区 are words too; 提高县级 holds 高县), or where it opens a name of an authority
        (沁县人民政府办公室, 蠡县教育局) at the start of a name."""
        kept = []
        for k, m in enumerate(mentions):
            authority = (m.name.endswith("县") and (m.start == 0 or not _is_cjk(text[m.start - 1]))
                         and _AUTHORITY_AFTER.match(text, m.end) is not None)
            if len(m.name) <= 2 and not m.short and not authority and all(
                    d.level == "county" for d in m.divisions):
                prev = mentions[k - 1] if k else None
                if not (prev and prev.end == m.start
                        and any(d.level == "city" and any(c.city == d.city for c in m.divisions)
                                for d in prev.divisions)):
                    continue
            kept.append(m)
        return kept

    def starts_with_place(self, text: str) -> bool:
        for name, _ in self.by_first2.get(text[:2], ()):
            if text.startswith(name):
                return True
        return False


# what follows a place that names an authority: 人民政府, 县委, 教育局 …
_AUTHORITY_AFTER = re.compile(r"人民政府|政府|人大|政协|[党纪]?[委]|[\u4e00-\u9fff]{0,8}?(?:局|办公室|办)")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# the region settings sit in the header's file, beside the 发文字号 pattern read below;
# read by name, so that header (which asks regions for the issuer's place) and regions
# do not import each other
GAZETTEER = "regions.yaml"


def _doc_number() -> re.Pattern:
    from ..official import patterns

    return patterns().doc_number


def _region_config() -> dict:
    from ..gazetteer import load_yaml

    return load_yaml(GAZETTEER)  # checked against gazetteer_schema on load


def load_divisions() -> list[Division]:
    rows = load_csv(DIVISIONS)
    out = []
    for row in rows:
        code, level = (row.get("code6") or "").strip(), (row.get("level") or "").strip()
        if not re.fullmatch(r"\d{6}", code) or level not in ("province", "city", "county"):
            raise GazetteerError(f"{DIVISIONS}: bad row {row}")
        out.append(Division(code, row["province"], row.get("city") or None, row.get("county") or None, level))
    return out


@functools.lru_cache(maxsize=None)
def place_index() -> PlaceIndex:
    return PlaceIndex(load_divisions(), _region_config())


@functools.lru_cache(maxsize=1)
def zone_words() -> tuple[str, ...]:
    """The words that end a development zone's or park's name (高新区, 工业园区, 示范区 …),
    from regions.yaml: the header's 主送 lists and the tasks' unit titles ask too."""
    return tuple(_region_config()["zone_words"])


def starts_with_place(text: str) -> bool:
    """Whether ``text`` starts with a province, city or county name (full or short)."""
    return place_index().starts_with_place(text)


# --------------------------------------------------------------------------- resolution


def _under(d: Division, provinces: set[str], cities: set[tuple[str, str]]) -> bool:
    if not provinces and not cities:
        return True
    if cities:
        return (d.province, d.city) in cities
    return d.province in provinces


def resolve_region(doc: Document, header: Header) -> Region | None:
    """The division the issuer belongs to, or None where the document does not say."""
    idx = place_index()
    cfg = idx.cfg
    w = cfg["weights"]
    issuer_text = "；".join(header.issuers)
    issuer_mentions = idx.scan(issuer_text, allow_short=True)
    if not header.issuers and header.title:
        # no issuer stated (a page without signature): the place the title names is the
        # authority's (黑龙江省促进经济稳增长的若干措施), not a county the body mentions
        issuer_text = header.title
        head = re.match(r"(?:(?:19|20)\d{2}年度?)?", header.title).end()
        issuer_mentions = [m for m in idx.scan(header.title, allow_short=False) if m.start <= head + 12
                           and not re.search(r"[关于的《“]", header.title[head:m.start])]
        if not issuer_mentions:
            # a short name opening the title after its year is the authority's place too
            # (2023年晋城民政工作思路: 晋城 for 晋城市); elsewhere in a title a short form is a word
            issuer_mentions = [m for m in idx.scan(header.title[head:], allow_short=True)[:1]
                               if m.start == 0 and m.short]

    # the province / city the issuer names: every other candidate is out
    provinces = {d.province for m in issuer_mentions for d in m.divisions if d.level == "province"}
    cities = {(d.province, d.city) for m in issuer_mentions for d in m.divisions if d.level == "city"}
    if len(cities) > 1 or len({p for p, _ in cities}) > 1:
        cities = set()
    provinces |= {p for p, _ in cities}

    issuer_counties = [d for m in issuer_mentions for d in m.divisions
                       if d.level == "county" and _under(d, provinces, cities)]
    in_zone = any(z in issuer_text for z in zone_words())

    # evidence from everywhere, weighted
    sources: list[tuple[str, float, bool]] = [(issuer_text, w["issuer"], True)]
    if header.title:
        sources.append((header.title, w["title"], True))
    for value in (doc.meta.site_name, doc.meta.info_source):
        if value:
            sources.append((value, w["meta"], True))
    for m in _doc_number().finditer(doc.text):
        prefix = m.group("doc_number").split("〔", 1)[0]
        sources.append((prefix, w["doc_number_prefix"], True))
    sources.append((doc.text, w["body"], False))

    score: dict[Division, float] = defaultdict(float)
    named: dict[tuple[str, str | None], float] = defaultdict(float)  # (province, city) evidence
    for text, weight, allow_short in sources:
        for m in idx.scan(text, allow_short):
            if text.startswith(_ZONE_ORGANS, m.end):
                continue  # 东城区管委会: a zone's organ (counties have governments), not that county
            for d in m.divisions:
                if d.level == "county":
                    score[d] += weight / len(m.divisions) if len(m.divisions) > 1 else weight
                elif d.level == "city":
                    named[(d.province, d.city)] += weight
                    named[(d.province, None)] += weight
                else:
                    named[(d.province, None)] += weight

    def evidence(d: Division) -> float:
        return named.get((d.province, d.city), 0.0) if d.city else named.get((d.province, None), 0.0)

    def pick(cands: list[Division]) -> Division | None:
        cands = list(dict.fromkeys(cands))
        if not cands:
            return None
        # a county name several places share counts only where its parent is named
        by_name: dict[str, list[Division]] = defaultdict(list)
        for d in cands:
            by_name[d.county].append(d)
        kept: list[Division] = []
        for same in by_name.values():
            if len(same) == 1:
                kept.extend(same)
                continue
            with_parent = [d for d in same if evidence(d) > 0]
            if len(with_parent) >= 1:
                best = max(evidence(d) for d in with_parent)
                top = [d for d in with_parent if evidence(d) == best]
                if len(top) == 1:
                    kept.append(top[0])
        if not kept:
            return None
        ranked = sorted(kept, key=lambda d: (score[d] + (cfg["parent_bonus"] if evidence(d) else 0)),
                        reverse=True)
        best_score = score[ranked[0]] + (cfg["parent_bonus"] if evidence(ranked[0]) else 0)
        if len(ranked) > 1 and score[ranked[1]] + (cfg["parent_bonus"] if evidence(ranked[1]) else 0) == best_score:
            return None  # a tie is no answer
        return ranked[0]

    # 1. a county the issuer names
    chosen = pick(issuer_counties)
    if chosen:
        return chosen.region()
    # 2. an issuer at city / province level that is not a zone inside it
    if not in_zone and issuer_mentions:
        if len(cities) == 1:
            return idx.cities[next(iter(cities))].region()
        if len(provinces) == 1 and not cities:
            p = next(iter(provinces))
            return idx.provinces[p].region() if p in idx.provinces else None
    # 3. a zone, or an issuer without a place: the county the document names, under the
    #    issuer's province / city
    body_counties = [d for d in score if _under(d, provinces, cities)]
    chosen = pick(body_counties)
    if chosen:
        return chosen.region()
    if len(cities) == 1:
        return idx.cities[next(iter(cities))].region()
    if len(provinces) == 1:
        p = next(iter(provinces))
        return idx.provinces[p].region() if p in idx.provinces else None
    # 4. no issuer named any place (a page excerpt without signature): the one city the
    #    document names, or the one province
    if not issuer_mentions:
        named_cities = [pc for pc in named if pc[1] is not None and pc in idx.cities]
        if len(named_cities) == 1:
            return idx.cities[named_cities[0]].region()
        named_provinces = {p for p, _ in named}
        if not named_cities:
            # the one city the body calls by its short name where a name can start (德阳是全省
            # 粮食主产市之一, 回投杭州), in the one province the document names, if any, is its
            # own; not a name inside a list of units (协同责任单位：省发展改革委、合肥海关: a
            # province's notice names the bodies of its cities among its units)
            short_cities = {(d.province, d.city) for m in idx.scan(doc.text, allow_short=True)
                            if m.short and not _UNIT_LIST_LINE.search(_line_of(doc.text, m.start))
                            for d in m.divisions if d.level == "city"
                            and (not named_provinces or d.province in named_provinces)}
            if len(short_cities) == 1 and len(named_provinces) <= 1:
                return idx.cities[next(iter(short_cities))].region()
        if not named_cities and len(named_provinces) == 1:
            p = next(iter(named_provinces))
            return idx.provinces[p].region() if p in idx.provinces else None
    return None


# the organ of a development zone right after a place name: the place is the zone's, no county
_ZONE_ORGANS = ("管委会", "管理委员会")
# a line that lists units under a label (协同责任单位：…, 配合部门:)
_UNIT_LIST_LINE = re.compile(r"(?:单位|部门|处室|科室)\s*[:：]")


def _line_of(text: str, pos: int) -> str:
    return text[text.rfind("\n", 0, pos) + 1:(text.find("\n", pos) + 1 or len(text) + 1) - 1]


def repair_dropped_place(name: str) -> str:
    """Restore a county name an OCR engine read with one character missing, right
    after the province or city it belongs to: 重庆陵高新区 → 重庆涪陵高新区.

    Recognisers drop rare characters (涪, 黔, 綦 …) rather than guess them. The
    repair needs the parent named just before the gap and exactly one county under
    that parent whose short name, less one character, is what stands there; a
    remnant that fits two counties (北 of 渝北 and of 北碚) is left alone.
    """
    idx = place_index()
    mentions = [m for m in idx.scan(name, allow_short=True)
                if any(d.level in ("province", "city") for d in m.divisions)]
    for m in reversed(mentions):
        parents = [d for d in m.divisions if d.level in ("province", "city")]
        counties = [d for d in idx.divisions if d.level == "county"
                    and any(d.province == p.province and (p.level == "province" or d.city == p.city)
                            for p in parents)]
        rest = name[m.end:]
        if not rest or idx.starts_with_place(rest):
            continue  # the county is there, whole
        fits: dict[str, tuple[str, str]] = {}  # county code → (its name, the remnant read)
        for d in counties:
            for short in [d.county] + idx._short_forms(d):
                for i in range(len(short) if len(short) >= 2 else 0):
                    remnant = short[:i] + short[i + 1:]
                    if rest.startswith(remnant) and len(remnant) > len(fits.get(d.code, ("", ""))[1]):
                        fits[d.code] = (short, remnant)
        if len(fits) == 1:
            (short, remnant), = fits.values()
            return name[:m.end] + short + rest[len(remnant):]
    return name
