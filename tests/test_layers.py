"""The layers contract (issue 7): the package layout is the pipeline, ingest → segment →
extract → export, and imports follow it. Shared modules at the top level (model, errors,
gazetteer, gazetteer_schema, normalize, numerals, numbering, columns, hanzi, official,
components) serve every stage; a stage never
imports a later one, and no module imports itself back through others (no cycle).
Read from the source with ast, so lazy imports inside functions count too."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "policyparse"
STAGES = ["ingest", "segment", "extract", "export"]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """policyparse modules imported anywhere in ``path`` (absolute names)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("policyparse"):
                out.add(target)
                for alias in node.names:  # from . import x: x may be a module
                    out.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("policyparse")}
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {t for t in _imports(p) if t in modules and t != m} for m, p in modules.items()}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_no_stage_imports_a_later_stage():
    bad = [(m, t) for m, targets in _graph().items() for t in targets
           if _stage(m) is not None and _stage(t) is not None and _stage(t) > _stage(m)]
    assert not bad, bad


def test_shared_modules_import_no_stage():
    shared = [m for m in _graph() if m.count(".") == 1 and _stage(m) is None
              and m.split(".")[1] in ("model", "errors", "gazetteer", "normalize", "numerals",
                                      "numbering", "columns", "hanzi", "official", "components", "processes",
                                      "gazetteer_schema")]
    assert len(shared) == 12
    bad = [(m, t) for m in shared for t in _graph()[m] if _stage(t) is not None]
    assert not bad, bad


def test_no_import_cycle():
    graph = _graph()
    # package __init__ modules re-export their children: an edge child → its package is no cycle
    for m in graph:
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    seen: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        seen[m] = 1
        for t in sorted(graph[m]):
            if seen.get(t) == 1:
                cycles.append(path[path.index(t):] + [t] if t in path else [m, t])
            elif t not in seen:
                visit(t, path + [t])
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m, [m])
    assert not cycles, cycles
