"""Every gazetteer file is checked against its declared schema; each kind of broken
file is refused with an error that names the file and the key."""
from __future__ import annotations

import pytest
import yaml

from policyparse.errors import GazetteerError
from policyparse.gazetteer import gazetteer_dir, load_csv, load_yaml, read_csv, read_yaml
from policyparse.gazetteer_schema import CSV_SCHEMAS, TYPES, YAML_SCHEMAS, schema_for


def test_every_file_has_a_schema_and_loads():
    root = gazetteer_dir()
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.suffix in (".yaml", ".csv")}
    assert set(YAML_SCHEMAS) | set(CSV_SCHEMAS) <= files
    for name in sorted(files):
        if name.endswith(".yaml"):
            assert schema_for(name) is not None, f"{name} has no schema"
            assert load_yaml(name)
        else:
            assert name in CSV_SCHEMAS, f"{name} has no schema"
    for name in CSV_SCHEMAS:
        assert load_csv(name)


def _leaf_types(schema):
    for kind in schema.values():
        if isinstance(kind, dict):
            yield from _leaf_types(kind)
        elif isinstance(kind, tuple):
            assert kind[0] == "rules"
            yield from _leaf_types(kind[1])
        else:
            yield kind


def test_schemas_use_known_types_only():
    for schema in YAML_SCHEMAS.values():
        assert set(_leaf_types(schema)) <= set(TYPES)


def _broken(tmp_path, name: str, edit) -> tuple:
    """A copy of the real file ``name`` changed by ``edit`` (text → text)."""
    text = (gazetteer_dir() / name).read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text, "the edit must change the file"
    path = tmp_path / name.replace("/", "_")
    path.write_text(changed, encoding="utf-8")
    return path, name


def _dump(name: str, change) -> callable:
    """An edit that loads the real YAML, changes the data and writes it back."""
    def edit(_text: str) -> str:
        data = yaml.safe_load((gazetteer_dir() / name).read_text(encoding="utf-8"))
        change(data)
        return yaml.safe_dump(data, allow_unicode=True)
    return edit


BROKEN_YAML = {
    "invalid YAML": ("outline.yaml", lambda t: t + "\nstyles: [unclosed\n", "invalid YAML"),
    "top level not a mapping": ("units.yaml", lambda t: "- a\n- b\n", "top level must be a mapping"),
    "key written twice": ("patterns/unit_cue.yaml",
                          lambda t: t + "\nrole_mark: '(?:牵头)'\n", "duplicate key 'role_mark'"),
    "misspelt key": ("layout.yaml", _dump("layout.yaml", lambda d: d.update(run_on_min_char=3)),
                     "unknown key run_on_min_char"),
    "missing key": ("patterns/frequency.yaml",
                    _dump("patterns/frequency.yaml", lambda d: d.pop("every")), "missing key every"),
    "missing nested key": ("regions.yaml", _dump("regions.yaml", lambda d: d["weights"].pop("title")),
                           "missing key weights.title"),
    "regex that does not compile": ("patterns/deadline.yaml",
                                    _dump("patterns/deadline.yaml", lambda d: d.update(cue_after="(?:截至")),
                                    "cue_after: bad regex"),
    "rule regex that does not compile": (
        "patterns/target.yaml",
        _dump("patterns/target.yaml", lambda d: d["qualitative"][0].update(pattern="[零")),
        "qualitative[0].pattern: bad regex"),
    "rule without its pattern": ("outline.yaml", _dump("outline.yaml", lambda d: d["styles"][1].pop("pattern")),
                                 "missing key styles[1].pattern"),
    "rule id twice": ("patterns/deadline.yaml",
                      _dump("patterns/deadline.yaml", lambda d: d["dates"].append(dict(d["dates"][0]))),
                      "duplicate rule id"),
    "number written as text": ("header.yaml", _dump("header.yaml", lambda d: d.update(max_title_lines="4")),
                               "max_title_lines must be a whole number"),
    "negative number": ("patterns/target.yaml", _dump("patterns/target.yaml", lambda d: d.update(count_gap_max=-1)),
                        "count_gap_max must be a whole number"),
    "word list with an empty word": ("html.yaml", _dump("html.yaml", lambda d: d["content_cues"].append("")),
                                     "content_cues must be a list of non-empty strings"),
    "word listed twice": ("layout.yaml",
                          _dump("layout.yaml", lambda d: d["unit_suffixes"].append(d["unit_suffixes"][0])),
                          "listed twice"),
    "alias map with a list value": ("units.yaml", _dump("units.yaml", lambda d: d["aliases"].update(应急局=["x"])),
                                    "aliases must be a mapping of non-empty strings"),
    "topic without keywords": ("topics/safety.yaml",
                               _dump("topics/safety.yaml", lambda d: d["hazards"].update(燃气=[])),
                               "hazards must be a mapping of names to non-empty word lists"),
    "pair with three members": ("table_roles.yaml", _dump("table_roles.yaml", lambda d: d["contains"].append(["a", "b", "c"])),
                                "contains must be a list of [string, string] pairs"),
    "period without its count": ("patterns/frequency.yaml",
                                 _dump("patterns/frequency.yaml", lambda d: d["periods"].update(月=["month"])),
                                 "periods must be a mapping of period words"),
    "section that is not a mapping": ("outline.yaml",
                                      _dump("outline.yaml", lambda d: d.update(unnumbered_heading=[1])),
                                      "unnumbered_heading must be a mapping"),
}


def test_yaml_without_a_schema_is_refused(tmp_path):
    path = tmp_path / "new.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="no schema declared"):
        read_yaml(path, "new.yaml")


BROKEN_CSV = {
    "missing column": ("divisions.csv", lambda t: t.replace("code6,province", "code,province", 1), "missing columns"),
    "bad code": ("divisions.csv", lambda t: t.replace("110000,北京市", "11000,北京市", 1), "column code6"),
    "unknown level": ("divisions.csv", lambda t: t.replace(",,,province", ",,,state", 1), "column level"),
    "two characters for one": ("t2s_chars.csv", lambda t: t.replace("㑯,㑔", "㑯,㑔㑔", 1), "column simplified"),
}


BROKEN = {**{f"yaml: {k}": (read_yaml, *v) for k, v in BROKEN_YAML.items()},
          **{f"csv: {k}": (read_csv, *v) for k, v in BROKEN_CSV.items()}}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_file_is_refused_naming_file_and_key(tmp_path, kind):
    reader, name, edit, message = BROKEN[kind]
    path, name = _broken(tmp_path, name, edit)
    with pytest.raises(GazetteerError) as err:
        reader(path, name)
    assert name in str(err.value) and message in str(err.value)
