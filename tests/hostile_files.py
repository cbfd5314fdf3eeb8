"""Builders of hostile and broken files for the bad-input suite (tests/test_hostile.py).
Every file is made here, by the tests, from a few bytes of code: nothing is downloaded."""
from __future__ import annotations

import io
import zipfile
import zlib


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_recursive_xobject() -> bytes:
    """A page that draws form X1, which draws X2, which draws X1 (and itself)."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X1 5 0 R >> >> >>",
        stream(b"/X1 Do"),
        stream(b"/X2 Do /X1 Do", b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
               b"/Resources << /XObject << /X1 5 0 R /X2 6 0 R >> >>"),
        stream(b"/X1 Do /X2 Do", b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
               b"/Resources << /XObject << /X1 5 0 R /X2 6 0 R >> >>"),
    ])


def pdf_content_bomb(mb: int = 400) -> bytes:
    """A page whose compressed content stream inflates to ``mb`` MB of operators."""
    body = b"0 0 m 1 1 l S\n" * (mb * 2**20 // 14)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(body, compress=True),
    ])


def zip_bytes(parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()
