"""Notices from other sectors, provinces and years, annotated per ANNOTATION.md by
annotators who did not see the code (tests/data/notices: 生态环境 浙江, 教育 湖北,
市场监管 山东, 乡村振兴 贵州, 卫生健康 福建, 住建 陕西; .txt, a DOCX and a GB18030 web page).

They were written after the rules were built on the five seeds. Sets A and B (first
run: overall 0.903) showed general gaps (sub-items kept inside their task, unit notes
on their own line, 分工负责 beside 牵头, measures like 微克/立方米 and ‰); set C
(水利 江西, 文旅 重庆, 人社 河北), written after those fixes as a held-out check, scored
0.917 on its first run and found a crash on ① labels. All were fixed as patterns of the
genre, not of these files. The bar below is a floor against regressions, set under
what the pipeline reaches on them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.evaluate import evaluate

NOTICES = Path(__file__).resolve().parent / "data" / "notices"
# Set D (issue 8): 15 real notices of 13 provinces as crawled pages store them (run-on
# lines, tables flattened to pipes, one cell per line or spaced rows, web metadata
# blocks), annotated blind; sources in notices_d/SOURCES.md. First run before any fix
# on them: 0.689 overall (0.677 with the pipeline as it stood before issue 8).
NOTICES_D = Path(__file__).resolve().parent / "data" / "notices_d"
# Set E: 8 real notices of 8 provinces collected after every fix on the corpus and set D, as a
# held-out check (notices_e/SOURCES.md). First run before any fix on them: 0.613 overall
# (task F1 0.949); fixed by class afterwards (traditional characters, notes of several
# sentences, leaders named with a post), so they are development data now too.
NOTICES_E = Path(__file__).resolve().parent / "data" / "notices_e"
# Set F: 10 real county/city notices collected after every fix on D and E (notices_f/SOURCES.md).
# First run before any fix on them: 0.587 overall, task F1 0.786, two notices without a task
# (a table written one cell per line with pipes, a progress table in spaced rows).
NOTICES_F = Path(__file__).resolve().parent / "data" / "notices_f"


def score(folder: Path, gold: Path, tmp_path_factory, group_by: str = "format"):
    """Run the batch over ``folder`` and score it against the gold files in ``gold``."""
    out = tmp_path_factory.mktemp("out")
    summary = run_batch([folder], out, workers=1, quiet=True)
    assert summary.failures == 0
    return evaluate(out, gold, group_by=group_by)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return score(NOTICES, NOTICES, tmp_path_factory)


def test_every_notice_is_read_and_scored(report):
    assert report.gold_without_output == []
    renderings = [p for p in NOTICES.rglob("*") if p.suffix in (".txt", ".docx", ".html")]
    assert sum(g.pairs for g in report.groups.values()) == len(renderings) >= 11


def test_fields_and_tasks_carry_over_to_other_sectors(report):
    t = report.total
    assert t.field_accuracy >= 0.95, t.fields
    assert t.task.f1 >= 0.95, t.task
    assert t.lead.f1 >= 0.90, t.lead
    assert t.deadline.f1 >= 0.90 and t.frequency.f1 >= 0.90 and t.target.f1 >= 0.85, t.components
    assert t.overall >= 0.93, t.components


def test_every_record_is_grounded(report):
    assert report.grounding.coverage == 1.0 and report.grounding.share_exact == 1.0


@pytest.fixture(scope="module")
def report_d(tmp_path_factory):
    return score(NOTICES_D, NOTICES_D, tmp_path_factory)


def test_lost_layouts_of_real_notices_are_read(report_d):
    """Floors under what the pipeline reaches on set D (0.90 overall, task F1 0.98):
    every notice is scored, tasks are found in every one of them."""
    assert report_d.gold_without_output == []
    assert sum(g.pairs for g in report_d.groups.values()) == len(list(NOTICES_D.glob("*.txt"))) >= 12
    t = report_d.total
    assert t.task.f1 >= 0.95, t.task
    assert t.lead.f1 >= 0.75 and t.deadline.f1 >= 0.80 and t.target.f1 >= 0.75, t.components
    assert t.field_accuracy >= 0.75, t.fields
    assert t.overall >= 0.87, t.components
    assert report_d.grounding.coverage == 1.0 and report_d.grounding.share_exact == 1.0


@pytest.fixture(scope="module")
def report_e(tmp_path_factory):
    return score(NOTICES_E, NOTICES_E, tmp_path_factory)


def test_held_out_notices_are_read(report_e):
    """Floors under what the pipeline reaches on set E after its fixes (0.854 overall)."""
    assert report_e.gold_without_output == []
    t = report_e.total
    assert t.task.f1 >= 0.93, t.task
    assert t.overall >= 0.80, t.components
    assert report_e.grounding.coverage == 1.0 and report_e.grounding.share_exact == 1.0


@pytest.fixture(scope="module")
def report_layouts(tmp_path_factory):
    """Sets A–C rendered in the four layouts crawled text arrives in (scripts/render_layouts.py:
    run-on, one cell per line, pipes, spaced rows). Their first run, after the layout work was
    built on the five seeds only: runon 0.869, cells 0.989, pipes 1.000, spaces 0.998."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "render_layouts", Path(__file__).resolve().parents[1] / "scripts" / "render_layouts.py")
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    src = tmp_path_factory.mktemp("layouts")
    render.main(str(NOTICES), str(src))
    gold = tmp_path_factory.mktemp("layouts_gold")
    for g in NOTICES.glob("*.json"):
        (gold / g.name).write_bytes(g.read_bytes())
    return score(src, gold, tmp_path_factory, group_by="folder")


@pytest.mark.parametrize("layout", ["runon", "cells", "pipes", "spaces"])
def test_other_notices_in_lost_layouts(report_layouts, layout):
    g = report_layouts.groups[layout]
    assert g.pairs >= 3, layout
    assert g.task.f1 >= 0.95, (layout, g.task)
    assert g.overall >= 0.95, (layout, g.components)


# Set G: 14 real notices of 11 provinces collected after every fix on D, E and F
# (notices_g/SOURCES.md). First run before any fix on them: 0.767 overall, task F1 0.776,
# two notices without a task (records written as name: value lines; cells split by lines of
# one pipe, a task column named by its subject).
NOTICES_G = Path(__file__).resolve().parent / "data" / "notices_g"
# Set H: 10 real notices of 8 provinces collected after every fix on D to G
# (notices_h/SOURCES.md). First run before any fix on them: 0.642 overall, task F1 0.826, two
# notices without a task (a header in traditional characters, a header glued into running
# text whose rows ran on over the next lines).
NOTICES_H = Path(__file__).resolve().parent / "data" / "notices_h"
# Set I: 15 real notices of 12 provinces collected after every fix on D to H
# (notices_i/SOURCES.md). First run before any fix on them: 0.682 overall, task F1 0.918, one
# notice without a task (a table drawn with box characters).
NOTICES_I = Path(__file__).resolve().parent / "data" / "notices_i"
# Set J: 5 real notices collected after every fix on D to I and never fixed on: its first run,
# 0.940 overall (task F1 0.958), is the figure (notices_j/SOURCES.md).
NOTICES_J = Path(__file__).resolve().parent / "data" / "notices_j"
# Set K: 9 real notices of 8 provinces collected after every fix on D to J (notices_k/SOURCES.md:
# page copies as a search store keeps them, cut after their first part). First run before any
# fix on them: 0.704 overall, task F1 0.932 (⑴ numbering and items glued after a unit note
# merged), target F1 0.595 (an indicator table flattened one cell per line), lead F1 0.882.
# After fixes by class: 0.803 (its one gold deadline, a body 全年, is not read as a limit).
NOTICES_K = Path(__file__).resolve().parent / "data" / "notices_k"
# Set L: 7 real notices of 5 provinces collected after every fix on K (notices_l/SOURCES.md). First
# run before any fix on them: 0.597 overall, task F1 0.491: three tables written one cell per
# line, each cell closed by a pipe and nothing between rows, found no task. After fixes by class
# (rows opened by their serial, year-named value columns, a 问题 column): 0.693, task F1 0.70.
NOTICES_L = Path(__file__).resolve().parent / "data" / "notices_l"
NOTICES_M = Path(__file__).resolve().parent / "data" / "notices_m"
NOTICES_N = Path(__file__).resolve().parent / "data" / "notices_n"
NOTICES_O = Path(__file__).resolve().parent / "data" / "notices_o"
NOTICES_P = Path(__file__).resolve().parent / "data" / "notices_p"
NOTICES_Q = Path(__file__).resolve().parent / "data" / "notices_q"
NOTICES_R = Path(__file__).resolve().parent / "data" / "notices_r"
NOTICES_S = Path(__file__).resolve().parent / "data" / "notices_s"
NOTICES_T = Path(__file__).resolve().parent / "data" / "notices_t"
NOTICES_U = Path(__file__).resolve().parent / "data" / "notices_u"
NOTICES_V = Path(__file__).resolve().parent / "data" / "notices_v"
NOTICES_W = Path(__file__).resolve().parent / "data" / "notices_w"
NOTICES_X = Path(__file__).resolve().parent / "data" / "notices_x"
NOTICES_Y = Path(__file__).resolve().parent / "data" / "notices_y"
NOTICES_Z = Path(__file__).resolve().parent / "data" / "notices_z"
NOTICES_AA = Path(__file__).resolve().parent / "data" / "notices_aa"
NOTICES_AB = Path(__file__).resolve().parent / "data" / "notices_ab"
NOTICES_AC = Path(__file__).resolve().parent / "data" / "notices_ac"
NOTICES_AD = Path(__file__).resolve().parent / "data" / "notices_ad"
NOTICES_AE = Path(__file__).resolve().parent / "data" / "notices_ae"
NOTICES_AF = Path(__file__).resolve().parent / "data" / "notices_af"
NOTICES_AG = Path(__file__).resolve().parent / "data" / "notices_ag"
NOTICES_AH = Path(__file__).resolve().parent / "data" / "notices_ah"
NOTICES_AI = Path(__file__).resolve().parent / "data" / "notices_ai"
NOTICES_AJ = Path(__file__).resolve().parent / "data" / "notices_aj"
NOTICES_AK = Path(__file__).resolve().parent / "data" / "notices_ak"
NOTICES_AL = Path(__file__).resolve().parent / "data" / "notices_al"
NOTICES_AM = Path(__file__).resolve().parent / "data" / "notices_am"
NOTICES_AN = Path(__file__).resolve().parent / "data" / "notices_an"
NOTICES_AO = Path(__file__).resolve().parent / "data" / "notices_ao"
NOTICES_AP = Path(__file__).resolve().parent / "data" / "notices_ap"
NOTICES_AQ = Path(__file__).resolve().parent / "data" / "notices_aq"
# held-out set → floors under what the pipeline reaches on it after its fixes
# (F: 0.829 overall, task F1 0.94; G: 0.951, task F1 0.94; H: 0.906, task F1 0.97;
# I: 0.876, task F1 0.95; K: 0.803, task F1 1.00, lead F1 0.97)
HELD_OUT_FLOORS = {"F": (NOTICES_F, {"task": 0.90, "overall": 0.78}),
                   "G": (NOTICES_G, {"task": 0.92, "overall": 0.93, "frequency": 0.9, "lead": 0.9}),
                   "H": (NOTICES_H, {"task": 0.94, "overall": 0.86, "lead": 0.9}),
                   "I": (NOTICES_I, {"task": 0.92, "overall": 0.84}),
                   "J": (NOTICES_J, {"task": 0.93, "overall": 0.90}),
                   "K": (NOTICES_K, {"task": 0.97, "overall": 0.77, "lead": 0.93}),
                   "L": (NOTICES_L, {"task": 0.68, "overall": 0.66}),
                   "M": (NOTICES_M, {"task": 0.97, "overall": 0.95, "lead": 0.93}),
                   "N": (NOTICES_N, {"task": 0.96, "overall": 0.81, "lead": 0.97}),
                   "O": (NOTICES_O, {"task": 0.92, "overall": 0.84, "lead": 0.88, "frequency": 0.8}),
                   "P": (NOTICES_P, {"task": 0.77, "overall": 0.61}),
                   "Q": (NOTICES_Q, {"task": 0.95, "overall": 0.80}),
                   "R": (NOTICES_R, {"task": 0.91, "overall": 0.81, "lead": 0.93}),
                   "S": (NOTICES_S, {"task": 0.83, "overall": 0.82, "lead": 0.94}),
                   "T": (NOTICES_T, {"task": 0.88, "overall": 0.78, "lead": 0.78}),
                   "U": (NOTICES_U, {"task": 0.94, "overall": 0.82, "lead": 0.82, "frequency": 0.9}),
                   "V": (NOTICES_V, {"task": 0.93, "overall": 0.92, "lead": 0.96}),
                   "W": (NOTICES_W, {"task": 0.89, "overall": 0.72, "lead": 0.81}),
                   "X": (NOTICES_X, {"task": 0.96, "overall": 0.87, "lead": 0.85}),
                   "Y": (NOTICES_Y, {"task": 0.96, "overall": 0.96, "lead": 0.97}),
                   "Z": (NOTICES_Z, {"task": 0.90, "overall": 0.90, "lead": 0.85}),
                   "AA": (NOTICES_AA, {"task": 0.50, "overall": 0.66}),
                   "AB": (NOTICES_AB, {"task": 0.95, "overall": 0.83, "lead": 0.9}),
                   "AC": (NOTICES_AC, {"task": 0.96, "overall": 0.92, "lead": 0.96}),
                   "AD": (NOTICES_AD, {"task": 0.80, "overall": 0.73}),
                   "AE": (NOTICES_AE, {"task": 0.93, "overall": 0.82}),
                   "AF": (NOTICES_AF, {"task": 0.60, "overall": 0.86, "lead": 0.95}),
                   "AG": (NOTICES_AG, {"task": 0.80, "overall": 0.60}),
                   "AH": (NOTICES_AH, {"task": 0.95, "overall": 0.76, "lead": 0.88}),
                   "AI": (NOTICES_AI, {"task": 0.82, "overall": 0.68}),
                   "AJ": (NOTICES_AJ, {"task": 0.87, "overall": 0.85, "lead": 0.88}),
                   "AK": (NOTICES_AK, {"task": 0.95, "overall": 0.95, "lead": 0.9}),
                   "AL": (NOTICES_AL, {"task": 0.90, "overall": 0.84, "lead": 0.92}),
                   "AM": (NOTICES_AM, {"task": 0.88, "overall": 0.79}),
                   "AN": (NOTICES_AN, {"task": 0.95, "overall": 0.70}),
                   "AO": (NOTICES_AO, {"task": 0.90, "overall": 0.75}),
                   "AP": (NOTICES_AP, {"task": 0.85, "overall": 0.68}),
                   "AQ": (NOTICES_AQ, {"task": 0.95, "overall": 0.70})}


@pytest.mark.parametrize("name", sorted(HELD_OUT_FLOORS))
def test_held_out_sets_are_read(name, tmp_path_factory):
    """Every notice of a held-out set is scored and gives tasks; the scores stay above their floors."""
    folder, floors = HELD_OUT_FLOORS[name]
    report = score(folder, folder, tmp_path_factory)
    assert report.gold_without_output == []
    t = report.total
    assert t.task.f1 >= floors["task"], t.task
    assert t.overall >= floors["overall"], t.components
    for component in ("frequency", "lead"):
        if component in floors:
            assert getattr(t, component).f1 >= floors[component], t.components
    assert all(p.figures.task.pred > 0 for p in report.pairs), "a notice without any task"
