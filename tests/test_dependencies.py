"""Every runtime dependency has a job (issue 7): each name in [project] dependencies is
imported somewhere in src/, and nothing src/ imports from outside is left undeclared."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# distribution name → the module it is imported as, where the two differ
IMPORT_NAMES = {"pyyaml": "yaml", "charset-normalizer": "charset_normalizer", "dask": "distributed",
                "python-docx": "docx", "beautifulsoup4": "bs4", "rapidocr-onnxruntime": "rapidocr_onnxruntime",
                "opencv-python": "cv2", "pdfminer.six": "pdfminer"}


def _declared(extra: str | None = None) -> dict[str, str]:
    """dist → module of [project] dependencies, or of one optional extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    out = {}
    for spec in specs:
        dist = re.match(r"[A-Za-z0-9_.\-]+", spec).group().lower()
        out[dist] = IMPORT_NAMES.get(dist, dist.replace("-", "_"))
    return out


def _imported_in_src() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "policyparse").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_runtime_dependency_is_imported_in_src():
    imported = _imported_in_src()
    idle = sorted(dist for dist, module in _declared().items() if module not in imported)
    assert not idle, f"declared but never imported in src/: {idle}"


def test_every_third_party_import_of_src_is_declared():
    # the OCR reader's imports come with the ocr extra (imported only when OCR runs)
    declared = set(_declared().values()) | set(_declared("ocr").values()) | {"dask"}
    # LibreOffice's own UNO modules (the python3-uno system package, installed by
    # scripts/setup.sh): imported only by ingest/uno_bridge.py, a script run under the
    # Python that has them, never inside the package's interpreter
    declared |= {"uno", "com"}
    stdlib = set(sys.stdlib_module_names)
    foreign = sorted(n for n in _imported_in_src() if n not in stdlib and n != "policyparse" and n not in declared)
    assert not foreign, f"imported in src/ but not declared: {foreign}"
