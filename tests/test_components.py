"""The pipeline is built from pipeline.yaml over registered components (issue 7): the
order is read in one place, every step declares its layers, and a bad config is refused."""
from __future__ import annotations

import textwrap

import pytest

from policyparse.components import Component, check_order, component
from policyparse.errors import ComponentError
from policyparse.pipeline import CONFIG, components, parse_bytes


def test_the_steps_run_in_the_order_pipeline_yaml_gives():
    names = [c.name for c in components()]
    assert names[:2] == ["header", "outline"] and names[-1] == "structure"
    assert names.index("table_tasks") < names.index("body_tasks") < names.index("settle_units")
    assert all(c.summary for c in components()), "every step says what it does"


def _config(tmp_path, body: str) -> str:
    path = tmp_path / "pipeline.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def test_a_step_that_needs_a_layer_no_earlier_step_gives_is_refused(tmp_path):
    config = _config(tmp_path, """\
        components:
          - {name: outline, module: policyparse.segment.outline}
          - {name: header, module: policyparse.segment.header}
        """)
    with pytest.raises(ComponentError, match="'outline' requires \\['header'\\]"):
        components(config)


@pytest.mark.parametrize("body, message", [
    ("components:\n  - {name: nothing, module: policyparse.segment.header}\n", "no component 'nothing'"),
    ("components:\n  - {name: header, module: policyparse.segment.nowhere}\n", "cannot import"),
    ("components:\n  - {name: header, module: policyparse.segment.header}\n"
     "  - {name: header, module: policyparse.segment.header}\n", "listed twice"),
    ("components:\n  - {name: header}\n", "must be {name"),
    ("steps: []\n", "one key, components"),
])
def test_a_bad_config_is_refused_with_its_reason(tmp_path, body, message):
    with pytest.raises(ComponentError, match=message):
        components(_config(tmp_path, body))


def test_check_order_follows_the_layers():
    def noop(doc):
        """Nothing."""

    a = Component("a", "extract", ("text",), ("x",), noop)
    b = Component("b", "extract", ("x",), ("y",), noop)
    check_order([a, b])
    with pytest.raises(ComponentError):
        check_order([b, a])


def test_a_new_capability_is_one_module_and_one_config_line(tmp_path, monkeypatch):
    module = tmp_path / "pp_word_count.py"
    module.write_text(textwrap.dedent('''\
        from policyparse.components import component

        @component("task_lengths", stage="extract", requires=("tasks",), assigns=("tasks.length",))
        def task_lengths(doc):
            """Each task's length in characters."""
            for t in doc.tasks:
                t.section = f"{t.section}|{t.end - t.start}"
        '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    base = open(CONFIG, encoding="utf-8").read()
    config = _config(tmp_path, base + "  - {name: task_lengths, module: pp_word_count}\n")
    steps = components(config)
    assert steps[-1].name == "task_lengths" and steps[-1].requires == ("tasks",)
    import policyparse.pipeline as pipeline

    monkeypatch.setattr(pipeline, "components", lambda config=config: steps)
    doc = parse_bytes("一、重点任务\n1.开展隐患排查。（责任单位：区应急局）\n".encode(), "x.txt")
    assert doc.tasks and doc.tasks[0].section.endswith(f"|{doc.tasks[0].end - doc.tasks[0].start}")


def test_a_step_that_fails_becomes_a_coded_error_of_its_stage(monkeypatch):
    import policyparse.pipeline as pipeline
    from policyparse.errors import ExtractError

    @component("explodes", stage="extract", requires=("text",), assigns=())
    def explodes(doc):
        """Fails."""
        raise ValueError("boom")

    steps = (*components(), Component("explodes", "extract", ("text",), (), explodes))
    monkeypatch.setattr(pipeline, "components", lambda config=None: steps)
    with pytest.raises(ExtractError, match="explodes: ValueError: boom"):
        parse_bytes("一、重点任务\n".encode(), "x.txt")


def test_a_table_by_subject_gives_each_body_its_quota():
    """乡镇 | 新种任务(亩) | 备注: each township leads its row, the number with the header's measure is
    its target; the total row is no task."""
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes(("附件\n融安县2023年金桔生产任务分解表\n乡镇 | 新种任务(亩) | 备注 |\n全县合计 | 7000 | |\n"
                       "长安镇 | 2150 | 其中县农业投资有限公司新种任务1500亩。 |\n板榄镇 | 600 | |\n雅瑶乡 | 500 | |\n")
                      .encode("utf-8"), "quota.txt")
    got = [([u.unit for u in t.units if u.role == "lead"], [(x.value, x.unit) for x in t.targets]) for t in doc.tasks]
    assert got[0][0] == ["长安镇"] and (2150.0, "亩") in got[0][1]
    assert got[1:] == [(["板榄镇"], [(600.0, "亩")]), (["雅瑶乡"], [(500.0, "亩")])]
    assert doc.tasks[1].title == "板榄镇 新种任务"
