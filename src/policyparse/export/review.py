"""``policyparse review FILE_OR_DOC_ID --html PAGE``: one page to check an extraction by eye.

The page is a single self-contained HTML file (its style and script inline; no
font, image or script is fetched, so it opens offline and can be mailed): the
document's header fields, a legend, the document's text with every extracted span
marked by kind, and a side list of the tasks that jumps to each one.

Kinds and the tables they come from:

=========== ============================ ==========================================
kind         table                        shown as
=========== ============================ ==========================================
task         tasks                        a tinted block with the task's number
lead         task_units, role ``lead``     orange, bold
support      task_units, role ``support``  yellow
leader       task_units, role ``leader``   violet
deadline     deadlines                    green
frequency    frequencies                  cyan
target       targets (task and document)  pink
=========== ============================ ==========================================

Spans nest (a unit inside a task) and sometimes cross (a deadline that runs past
the end of a unit); a crossing span is split into fragments that share its
``data-span`` id, and only the first fragment has ``data-part="0"``: counting
``mark[data-part="0"]`` of a kind gives exactly the rows of its table. Each mark's
tooltip tells its record (role, canonical name, date, per-year figure, rule).

The script (no library) counts the marks per kind into the legend, lets the legend
hide a kind, filters the task list, and scrolls to the task a task id named. A
script error sets ``data-script-errors`` on ``<html>``, and a finished start sets
``data-ready``, so a headless browser's DOM shows whether the page really ran.
"""
from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path

from ..errors import ExportError

KINDS = ("task", "lead", "support", "leader", "deadline", "frequency", "target")
KIND_LABELS = {"task": "任务 task", "lead": "牵头 lead", "support": "配合 support", "leader": "责任领导 leader",
               "deadline": "时限 deadline", "frequency": "频次 frequency", "target": "目标 target"}
# nesting order where two spans cover the same text: the task outside, units inside
_KIND_RANK = {kind: i for i, kind in enumerate(KINDS)}
HEADER_FIELDS = (("doc_number", "发文字号"), ("issuers", "发文机关"),
                 ("issue_date", "成文日期"), ("plan_year", "年度"), ("recipients", "主送"),
                 ("attachments", "附件"), ("published_date", "发布日期"), ("info_source", "信息来源"),
                 ("structure", "任务来源 structure"), ("source_format", "格式"), ("source_path", "文件"),
                 ("doc_id", "doc_id"))


class _Span:
    __slots__ = ("kind", "start", "end", "sid", "tip", "task_index")

    def __init__(self, kind, start, end, sid, tip, task_index=None):
        self.kind, self.start, self.end, self.sid, self.tip = kind, start, end, sid, tip
        self.task_index = task_index


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tip(*parts) -> str:
    return " · ".join(_fmt(p) for p in parts if p not in (None, "", []))


def spans_of(rows: dict[str, list[dict]]) -> list[_Span]:
    """Every extracted record of one document as a span to mark, with its tooltip."""
    index_of = {t["task_id"]: t["task_index"] for t in rows.get("tasks", [])}
    spans: list[_Span] = []
    for t in rows.get("tasks", []):
        spans.append(_Span("task", t["char_start"], t["char_end"], f"task-{t['task_index']}",
                           _tip(f"任务 {t['task_index'] + 1}", "/".join(t.get("path") or []), t.get("title"),
                                t.get("rule"), "topics: " + _fmt(t.get("topics")) if t.get("topics") else None),
                           t["task_index"]))
    for n, u in enumerate(rows.get("task_units", [])):
        canonical = u.get("unit_canonical")
        spans.append(_Span(u["role"] if u["role"] in KINDS else "support", u["char_start"], u["char_end"],
                           f"unit-{n}", _tip(u["role"], u["unit"],
                                             f"→ {canonical}" if canonical and canonical != u["unit"] else None,
                                             u.get("rule")), index_of.get(u["task_id"])))
    for n, d in enumerate(rows.get("deadlines", [])):
        spans.append(_Span("deadline", d["char_start"], d["char_end"], f"deadline-{n}",
                           _tip("deadline", d["kind"], d.get("start") and f"from {d['start']}",
                                d.get("date") and f"by {d['date']}", d.get("rule")), index_of.get(d["task_id"])))
    for n, f in enumerate(rows.get("frequencies", [])):
        spans.append(_Span("frequency", f["char_start"], f["char_end"], f"frequency-{n}",
                           _tip("frequency", f"{f['period']} × {f['count']}", f["comparator"],
                                f"{_fmt(f['per_year'])}/year", f.get("rule")), index_of.get(f["task_id"])))
    for n, g in enumerate(rows.get("targets", [])):
        spans.append(_Span("target", g["char_start"], g["char_end"], f"target-{n}",
                           _tip("target", g.get("metric"), g.get("comparator"), g.get("value"), g.get("unit"),
                                g.get("rule") if g.get("task_id") else "document-level"),
                           index_of.get(g.get("task_id"))))
    return [s for s in spans if s.start is not None and s.end is not None]


def _open(span: _Span, part: int) -> str:
    attrs = [f'class="k-{span.kind}"', f'data-kind="{span.kind}"', f'data-span="{span.sid}"',
             f'data-part="{part}"', f'title="{html.escape(span.tip)}"']
    if span.kind == "task":
        attrs.append(f'data-n="{span.task_index + 1}"')
        if part == 0:
            attrs.append(f'id="task-{span.task_index}"')
    return f"<mark {' '.join(attrs)}>"


def marked_text(text: str, spans: list[_Span]) -> str:
    """``text`` as HTML with a ``<mark>`` per span; crossing spans split into fragments.

    Linear in the text plus the spans times the nesting depth (a handful)."""
    starts: dict[int, list[_Span]] = {}
    for s in spans:
        start = max(0, min(s.start, len(text)))
        s.start, s.end = start, max(start, min(s.end, len(text)))
        starts.setdefault(start, []).append(s)
    points = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[_Span] = []
    parts: Counter = Counter()
    pos = 0
    for p in points:
        out.append(html.escape(text[pos:p]))
        pos = p
        if any(s.end == p for s in stack):
            reopen = []
            while any(s.end == p for s in stack):
                s = stack.pop()
                out.append("</mark>")
                if s.end != p:
                    reopen.append(s)
            for s in reversed(reopen):  # spans that go on past p: a new fragment each
                out.append(_open(s, parts[s.sid]))
                parts[s.sid] += 1
                stack.append(s)
        for s in sorted(starts.get(p, []), key=lambda s: (-(s.end - s.start), _KIND_RANK[s.kind])):
            out.append(_open(s, parts[s.sid]))
            parts[s.sid] += 1
            if s.end == s.start:  # an empty record: an empty mark, still one per row
                out.append("</mark>")
            else:
                stack.append(s)
    out.extend("</mark>" for _ in stack)
    return "".join(out)


def _task_list(rows: dict[str, list[dict]], spans: list[_Span]) -> str:
    per_task: dict[int, Counter] = {}
    for s in spans:
        if s.kind != "task" and s.task_index is not None:
            per_task.setdefault(s.task_index, Counter())[s.kind] += 1
    items = []
    for t in rows.get("tasks", []):
        i = t["task_index"]
        label = t.get("title") or (t.get("text") or "").strip().replace("\n", " ")[:40]
        labels = [str(p) for p in (t.get("path") or [])]
        # the last two labels say where a task is; a long attachment title above them is noise here
        path = ("…/" if len(labels) > 2 else "") + "/".join(label[:12] for label in labels[-2:])
        badges = "".join(f'<span class="badge k-{k}" title="{k}">{n}</span>'
                         for k, n in sorted(per_task.get(i, {}).items(), key=lambda kv: _KIND_RANK[kv[0]]))
        items.append(f'<li><a href="#task-{i}" data-task="{i}" title="{html.escape("/".join(labels))}"><span class="num">{i + 1}</span>'
                     f'<span class="label"><span class="path">{html.escape(path)}</span> '
                     f'{html.escape(label)}</span></a><span class="badges">{badges}</span></li>')
    return "\n".join(items)


def _header(doc: dict) -> str:
    rows = []
    region = " ".join(x for x in (doc.get("region_province"), doc.get("region_city"), doc.get("region_county")) if x)
    for name, label in HEADER_FIELDS:
        value = _fmt(doc.get(name))
        if name == "plan_year" and region:
            rows.append(f'<div><dt>地区</dt><dd data-field="region">{html.escape(region)} '
                        f'<code>{html.escape(doc.get("region_code") or "")}</code></dd></div>')
        if value:
            rows.append(f'<div><dt>{html.escape(label)}</dt><dd data-field="{name}">{html.escape(value)}</dd></div>')
    if doc.get("warnings"):
        rows.append(f'<div class="warn"><dt>warnings</dt><dd data-field="warnings">'
                    f'{html.escape(_fmt(doc["warnings"]))}</dd></div>')
    return "\n".join(rows)


def _legend(counts: Counter) -> str:
    return "\n".join(
        f'<label class="legend-item"><input type="checkbox" checked data-toggle="{k}">'
        f'<mark class="k-{k} swatch">{html.escape(KIND_LABELS[k])}</mark>'
        f'<span class="count" data-count-for="{k}" data-expected="{counts[k]}"></span></label>' for k in KINDS)


def render_review(rows: dict[str, list[dict]], focus_task: int | None = None) -> str:
    """The review page of one document, from its rows (``document_rows`` or a published run)."""
    if not rows.get("documents") or not rows.get("texts"):
        raise ExportError("the review page needs the document's documents and texts rows")
    doc = rows["documents"][0]
    text = rows["texts"][0]["text"] or ""
    spans = spans_of(rows)
    counts = Counter(s.kind for s in spans)
    body = marked_text(text, spans)
    title = doc.get("title") or doc.get("source_path") or doc["doc_id"]
    values = {"title": html.escape(title), "style": _STYLE, "script": _SCRIPT, "header": _header(doc),
              "legend": _legend(counts), "n_tasks": str(len(rows.get("tasks", []))),
              "tasks": _task_list(rows, spans), "focus": "" if focus_task is None else str(focus_task),
              "doc_id": html.escape(doc["doc_id"]), "text": body}
    # one pass, so that a document's own text can never be read as a placeholder
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _PAGE)


def write_review(rows: dict[str, list[dict]], dest: str | Path, focus_task: int | None = None) -> dict[str, int]:
    """Write the review page to ``dest`` (atomically); the number of marks per kind."""
    page = render_review(rows, focus_task)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, dest)
    counts = Counter(s.kind for s in spans_of(rows))
    return {kind: counts[kind] for kind in KINDS}


_STYLE = """
:root { --side: 340px; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC",
       "Microsoft YaHei", "Hiragino Sans GB", sans-serif; color: var(--ink); background: var(--bg);
       font-size: 15px; }
#side { position: fixed; top: 0; left: 0; bottom: 0; width: var(--side); background: #fff;
        border-right: 1px solid var(--line); display: flex; flex-direction: column; }
#side h2 { font-size: 14px; margin: 14px 16px 8px; color: var(--muted); font-weight: 600; }
#filter { margin: 0 16px 10px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px;
          font: inherit; font-size: 13px; }
#tasks { list-style: none; margin: 0; padding: 0 8px 16px; overflow-y: auto; flex: 1; }
#tasks li { display: flex; align-items: flex-start; gap: 6px; padding: 6px 8px; border-radius: 6px; }
#tasks li:hover, #tasks li.current { background: #eef4ff; }
#tasks a { color: inherit; text-decoration: none; display: flex; gap: 8px; flex: 1; font-size: 13px;
           line-height: 1.45; }
#tasks .num { flex: none; min-width: 26px; text-align: center; font-size: 11px; font-weight: 700;
              background: #dbe6f7; color: #24446e; border-radius: 10px; padding: 1px 5px; height: 18px; }
#tasks .path { color: var(--muted); font-size: 11px; }
#tasks .badges { display: flex; flex-wrap: wrap; gap: 2px; max-width: 70px; justify-content: flex-end; }
.badge { font-size: 10px; padding: 0 4px; border-radius: 3px; color: var(--ink); }
.badge.k-task { background: #dbe6f7; }
#main { margin-left: var(--side); padding: 20px 32px 80px; }
header h1 { font-size: 21px; line-height: 1.4; margin: 0 0 12px; max-width: 980px; }
#fields { display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 13px; margin: 0 0 12px; max-width: 980px; }
#fields div { display: flex; gap: 6px; }
#fields dt { color: var(--muted); white-space: nowrap; }
#fields dd { margin: 0; }
#fields .warn dd { color: #9a6700; }
#legend { position: sticky; top: 0; z-index: 2; background: var(--bg); padding: 8px 0; display: flex;
          flex-wrap: wrap; gap: 6px 14px; border-bottom: 1px solid var(--line); margin-bottom: 16px; }
.legend-item { display: inline-flex; align-items: center; gap: 4px; font-size: 13px; cursor: pointer; }
.legend-item .count { color: var(--muted); font-variant-numeric: tabular-nums; }
#text { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 24px 32px;
        white-space: pre-wrap; tab-size: 6; line-height: 2.0; font-size: 16px; max-width: 980px; }
mark { color: inherit; border-radius: 3px; padding: 1px 0; -webkit-box-decoration-break: clone;
       box-decoration-break: clone; }
mark.k-task { background: rgba(84, 130, 210, 0.07); box-shadow: inset 0 -1px 0 rgba(84, 130, 210, 0.35); }
mark.k-task[data-part="0"]::before { content: attr(data-n); font-size: 10px; font-weight: 700; color: #fff;
       background: #5482d2; border-radius: 8px; padding: 0 5px; margin-right: 4px; vertical-align: 2px; }
.k-lead { background: #ffc98b; font-weight: 600; }
.k-support { background: #fff3a3; }
.k-leader { background: #e2c7fb; }
.k-deadline { background: #b8f0b0; }
.k-frequency { background: #a6ecf7; }
.k-target { background: #ffc2ea; }
mark.swatch { padding: 1px 6px; }
mark.swatch.k-task::before { content: none; }
body.hide-task mark.k-task, body.hide-lead mark.k-lead, body.hide-support mark.k-support,
body.hide-leader mark.k-leader, body.hide-deadline mark.k-deadline, body.hide-frequency mark.k-frequency,
body.hide-target .k-target { background: none; box-shadow: none; font-weight: inherit; }
body.hide-task mark.k-task::before { content: none; }
mark.k-task.flash { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: rgba(255, 214, 0, 0.55); } to { background: rgba(84, 130, 210, 0.07); } }
footer { color: var(--muted); font-size: 12px; margin-top: 16px; }
"""

_SCRIPT = r"""
(function () {
  var root = document.documentElement;
  root.dataset.scriptErrors = "0";
  window.onerror = function (message) {
    root.dataset.scriptErrors = String(Number(root.dataset.scriptErrors || 0) + 1);
    root.dataset.lastError = String(message);
  };
  function start() {
    // the legend's counts are the marks on the page (first fragments only)
    document.querySelectorAll("[data-count-for]").forEach(function (el) {
      var kind = el.dataset.countFor;
      el.textContent = document.querySelectorAll('#text mark[data-kind="' + kind + '"][data-part="0"]').length;
    });
    document.querySelectorAll("[data-toggle]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.body.classList.toggle("hide-" + box.dataset.toggle, !box.checked);
      });
    });
    var items = Array.prototype.slice.call(document.querySelectorAll("#tasks li"));
    document.getElementById("filter").addEventListener("input", function (ev) {
      var q = ev.target.value.trim();
      items.forEach(function (li) { li.hidden = q !== "" && li.textContent.indexOf(q) < 0; });
    });
    function go(i) {
      var mark = document.getElementById("task-" + i);
      if (!mark) return;
      mark.scrollIntoView({block: "center"});
      mark.classList.remove("flash"); void mark.offsetWidth; mark.classList.add("flash");
      items.forEach(function (li) {
        li.classList.toggle("current", li.querySelector("a").dataset.task === String(i));
      });
    }
    document.getElementById("tasks").addEventListener("click", function (ev) {
      var a = ev.target.closest("a[data-task]");
      if (!a) return;
      ev.preventDefault();
      history.replaceState(null, "", "#task-" + a.dataset.task);
      go(a.dataset.task);
    });
    var focus = document.body.dataset.focus || (location.hash.match(/^#task-(\d+)$/) || [])[1];
    if (focus) go(focus);
    root.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="policyparse review">
<title>{{title}}</title>
<style>{{style}}</style>
</head>
<body data-focus="{{focus}}" data-doc-id="{{doc_id}}">
<nav id="side">
<h2>任务 Tasks ({{n_tasks}})</h2>
<input id="filter" type="search" placeholder="筛选任务 filter tasks">
<ol id="tasks">
{{tasks}}
</ol>
</nav>
<main id="main">
<header>
<h1>{{title}}</h1>
<dl id="fields">
{{header}}
</dl>
</header>
<div id="legend">
{{legend}}
</div>
<article id="text">{{text}}</article>
<footer>policyparse review · hover a mark for its record and rule · every span is <code>text[char_start:char_end]</code> of the tables</footer>
</main>
<script>{{script}}</script>
</body>
</html>
"""
