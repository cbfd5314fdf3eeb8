"""The declared schema of every file under ``gazetteers/``.

One entry per file: its keys, each with a type. A key ending in ``?`` may be
left out; every other key must be there, and a key the schema does not name is
an error (a misspelt key would otherwise be silently ignored and its default
used). :func:`policyparse.gazetteer.check_data` applies a schema; the loaders of
the stages then read the checked data.

Types (the value each one accepts):

``int``       a whole number ≥ 0
``str``       a non-empty string read literally (a set of characters, a separator)
``str_or_null`` a non-empty string, or null where the rule sets no value
``regex``     a string that compiles as a Python regex; in ``patterns/*.yaml`` after
              the numeral macros ``{NUM}``, ``{MD}`` … of :mod:`policyparse.numerals`
``words``     a list of non-empty strings, no duplicates
``pairs``     a list of two-string lists (``[open, close]``, ``[cue, role]``)
``str_map``   a mapping of non-empty strings to non-empty strings
``words_map`` a mapping of names to ``words`` lists (a taxonomy: 消防 → [消防, 火灾, …])
``period_map`` a mapping of period words to ``[period, count]`` (``周: [week, 1]``)
``rules``     a list of mappings checked against ``rule_schema``; their ``id`` values unique
a mapping     a nested schema
"""
from __future__ import annotations

TYPES = ("int", "str", "str_or_null", "regex", "words", "pairs", "str_map", "words_map", "period_map")

_OUTLINE_STYLE = {"id": "str", "pattern": "regex", "numeral": "str"}
_DEADLINE_RULE = {"id": "str", "pattern": "regex", "kind?": "str"}
_QUALITATIVE_RULE = {"id": "str", "pattern": "regex", "comparator": "str_or_null"}
_REFERENCE_NUMBER_RULE = {"id": "str", "pattern": "regex"}

YAML_SCHEMAS: dict[str, dict] = {
    "header.yaml": {
        "year_in_title": "regex",
        "title_genres": "words", "title_start": "regex", "title_start_after_issuer?": "words", "plan_genres": "words",
        "max_title_lines": "int", "max_title_chars": "int", "issuer_suffixes": "words",
        "proxy_seal": "regex", "issuer_prefixes": "words", "max_issuer_chars": "int",
        "recipient_line": "regex", "list_separators": "regex", "enum_separator": "str",
        "unit_scope_chars": "str", "bare_division_kinds": "words", "zone_organs": "words", "min_full_unit_chars": "int", "not_recipient_starts": "words", "recipient_prose": "regex", "closing_formulas": "words", "site_furniture": "words",
        "attachment_list": "regex", "attachment_item": "regex", "attachment_marker": "regex",
        "attachment_marker_titled": "regex", "attachment_trailer": "regex", "cc_line": "regex",
        "print_line": "regex", "public_true": "words", "public_false": "words",
        "web_published": "regex", "web_source": "regex", "header_zone_lines": "int",
        "signature_zone_lines": "int",
        "meta_block": {"title": "words", "doc_number": "words", "issue_date": "words",
                       "issuers": "words"},
        "meta_block_other_keys": "words",
    },
    "regions.yaml": {
        "weights": {"issuer": "int", "title": "int", "signature": "int",
                    "doc_number_prefix": "int", "meta": "int", "body": "int"},
        "parent_bonus": "int", "zone_words": "words", "county_suffixes": "words",
        "city_suffixes": "words", "province_suffixes": "words", "min_short_chars": "int",
        "peoples": "words", "short_stoplist": "words",
    },
    "official.yaml": {
        "doc_number": "regex", "doc_number_line": "regex", "doc_number_damaged": "regex", "doc_number_bare": "regex", "date_arabic": "regex",
        "date_chinese": "regex", "date_iso": "regex", "mark_line": "regex",
    },
    "html.yaml": {
        "content_cues": "words", "furniture_cues": "words", "furniture_tags": "words",
        "meta_title": "words", "meta_pubdate": "words", "meta_source": "words",
        "meta_site?": "words",
        "info_labels": {"published_date": "words", "info_source": "words", "other?": "words"},
    },
    "layout.yaml": {
        "run_on_min_chars": "int", "boundary_before": "str", "heading_max_chars": "int",
        "heading_punctuation": "str", "meta_keys": "words", "title_genres": "words",
        "plan_genres": "words", "org_suffixes": "words", "own_line_notes": "words",
        "unit_suffixes": "words", "unit_collective_starts": "words", "empty_cell_marks": "words",
        "deadline_cell": "regex", "unit_role_tail": "regex",
        "jammer_run": "regex", "jammer_mixed_token": "regex", "jammer_min_tokens": "int",
        "jammer_min_mixed": "int", "glued_header_max_lines": "int", "glued_header_line_max_chars": "int",
        "glued_continuation_max_chars": "int", "glued_min_rows": "int", "glued_row_serial": "regex",
        "glued_unit_column": "regex", "glued_unit": "regex", "glued_inline_serial_not_before": "str",
        "glued_score_column": "regex",
        "doc_share_blurb": "regex", "inline_page_mark": "regex",
        "glued_inline_header_max_names": "int", "glued_inline_header_name_max_chars": "int",
        "inline_sub_list_styles": "words",
    },
    "outline.yaml": {
        "styles": ("rules", _OUTLINE_STYLE), "chinese_ordinal": "regex", "attachment": "regex",
        "attachment_list": "regex", "contact_line?": "regex", "bullet_key_line?": "regex", "bullet_menu_item?": "regex", "non_task_sections": "words", "goal_sections": "words", "unit_only_sections?": "words", "citation_only?": "regex",
        "unnumbered_heading?": {"max_chars?": "int", "end_punctuation?": "str", "bad_start?": "str"},
        "sub_item_styles?": "words", "list_only_styles?": "words", "work_too?": "regex", "duty_paragraph?": "regex", "unit_heading?": "regex", "duty_section?": "regex",
    },
    "table_roles.yaml": {
        "exact": "str_map", "contains": "pairs", "header_search_rows?": "int", "target_column?": "regex", "measure_cell?": "regex", "year_column?": "regex",
        "head_words?": {"unit_nouns": "words", "lead": "words", "support": "words"}, "inspecting_body?": "words",
    },
    "units.yaml": {"prefixes": "words", "aliases": "str_map", "whole?": "str_map"},
    "patterns/deadline.yaml": {
        "dates": ("rules", _DEADLINE_RULE), "suffix_in_raw": "regex", "suffix_done": "regex",
        "cue_after": "regex", "cue_before": "regex", "reject_after": "regex",
        "reject_before": "regex", "citation_brackets": "pairs", "citation_paren_marks": "regex",
        "paren_pairs": "pairs", "ongoing": "regex", "ongoing_joiner": "regex",
        "external": "regex", "external_body": "regex",
    },
    "patterns/frequency.yaml": {
        "periods": "period_map", "every": "regex", "whole_period": "regex", "whole_period_times": "regex", "by_period": "regex", "per_shape": "regex",
        "one_per": "regex", "times_per": "regex", "count": "regex", "at_least": "words", "at_most": "words",
        "at_least_after": "regex", "clause_end": "regex", "shorthand": "regex",
        "shorthand_actor_max": "int", "shorthand_actor_stop": "regex",
        "shorthand_bare_after": "regex", "shorthand_actor_reject": "words",
        "rate_quantity": "regex",
    },
    "patterns/target.yaml": {
        "percent": "regex", "count_verbs": "words", "count_gap_max": "int",
        "count_gap_max_at_clause_end": "int", "count": "regex", "cn_count_verbs": "words",
        "after_ge": "regex", "after_le": "regex", "after_eq": "regex", "before_ge": "regex",
        "before_le": "regex", "reject_unit_after": "regex", "reject_idiom": "regex",
        "per_period": "regex", "per_period_units": "words", "reject_before": "regex",
        "reject_fact": "regex", "reject_condition": "regex", "clause_end": "regex",
        "label_head": "regex", "empty_metric": "regex", "metric_strip_head": "regex",
        "metric_strip_tail": "regex", "qualitative": ("rules", _QUALITATIVE_RULE),
        "harm_object": "regex", "indicator_unit?": "regex",
        "qualified_noun?": "regex", "counted_units?": "words", "cover_note?": "regex",
    },
    "patterns/reference.yaml": {"title": "regex", "numbers": ("rules", _REFERENCE_NUMBER_RULE)},
    "patterns/unit_cue.yaml": {
        "labels": {"lead": "words", "support": "words"}, "leader_labels": "words",
        "leader_not_person": "regex", "other_label": "regex", "demoted_when_lead_named": "words",
        "role_noun": "regex",
        "lead_label_marks": "words", "openers": "words", "closers": "words",
        "lead_tail": "regex", "support_tail": "regex", "role_mark": "regex",
        "support_marks": "words", "lead_prefix_mark": "regex", "joint": "regex", "lead_head": "regex", "unit_descriptor": "regex", "separators": "regex",
        "conjunctions": "regex", "etc_collective": "regex", "unit_suffix": "regex",
        "unit_prefix": "regex", "atomic": "words", "collective_list": "regex", "collective_name": "regex", "empty_cell": "regex", "inline_lead": "regex",
        "inline_support": "regex", "bare_note_cue": "regex", "bare_note_max": "int",
        "inline_by": "regex", "inline_charge": "regex", "inline_joint": "regex", "inline_leader": "regex",
        "bare_bodies": "words", "first_listed_leads": "regex",
    },
}

# every file of a folder that holds one kind of file: a topic taxonomy per sector
FOLDER_SCHEMAS: dict[str, dict] = {
    "topics/": {"sector": "str", "work_types": "words_map", "hazards": "words_map"},
}


def schema_for(name: str) -> dict | None:
    """The schema of the gazetteer file ``name`` (``topics/health.yaml`` …), or None."""
    if name in YAML_SCHEMAS:
        return YAML_SCHEMAS[name]
    return next((s for folder, s in FOLDER_SCHEMAS.items()
                 if name.startswith(folder) and name.endswith(".yaml")), None)


# CSV files: the columns every row must fill, and a regex each named column's value matches
CSV_SCHEMAS: dict[str, dict[str, str]] = {
    "divisions.csv": {"code6": r"\d{6}", "province": r".+", "city": r".*", "county": r".*",
                      "level": r"province|city|county"},
    "t2s_chars.csv": {"traditional": r".", "simplified": r"."},
}
