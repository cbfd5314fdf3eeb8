"""Bad input: every failure is a coded error with a clear message, never a raw exception.

A batch turns a PolicyParseError into a row of the ``failures`` table; anything
else would be a traceback. So beyond the named cases, damaged variants of each
format (truncated, bytes flipped) must end as a Document or a coded error.
"""
from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from policyparse.errors import (CorruptFileError, EmptyFileError, EncryptedFileError,
                                PolicyParseError, UnsupportedFormatError)
from policyparse.ingest import read_bytes, read_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "renderings"
A_DOCX = CORPUS / "docx" / "004_e08651c05d5d587d.docx"
A_PDF = CORPUS / "pdf" / "004_e08651c05d5d587d.pdf"
A_HTML = CORPUS / "html" / "004_e08651c05d5d587d.html"
A_DOC = CORPUS / "doc" / "004_e08651c05d5d587d.doc"


def _coded(exc: PolicyParseError, path: Path | str) -> None:
    """The message a user sees: one line, the code first, the file named."""
    text = str(exc)
    assert text.startswith(f"[{exc.code}] ") and exc.code.startswith("E1")
    assert "\n" not in text and str(path) in text
    assert exc.stage == "ingest"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _docx_parts() -> dict[str, bytes]:
    zf = zipfile.ZipFile(A_DOCX)
    return {n: zf.read(n) for n in zf.namelist()}


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.html", "empty.doc"])
@pytest.mark.parametrize("content", [b"", b"  \r\n\t \n"])
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmptyFileError) as e:
        read_file(path)
    _coded(e.value, path)


def test_zip_that_is_not_a_docx(tmp_path):
    path = tmp_path / "archive.docx"
    path.write_bytes(_zip({"readme.txt": b"hello", "data/table.csv": b"a,b\n1,2\n"}))
    with pytest.raises(UnsupportedFormatError) as e:
        read_file(path)
    _coded(e.value, path)
    assert "DOCX" in str(e.value)


def test_docx_with_broken_document_xml(tmp_path):
    parts = _docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"][:-200]  # cut inside the body
    path = tmp_path / "broken.docx"
    path.write_bytes(_zip(parts))
    with pytest.raises(CorruptFileError) as e:
        read_file(path)
    _coded(e.value, path)
    assert "document.xml" in str(e.value)


def test_docx_with_a_damaged_compressed_part(tmp_path):
    data = bytearray(A_DOCX.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 50, start + 150):
        data[i] ^= 0x5A  # corrupt the deflate stream (CRC or zlib error)
    path = tmp_path / "crc.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError) as e:
        read_file(path)
    _coded(e.value, path)


def test_truncated_docx(tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes(A_DOCX.read_bytes()[:20000])  # the central directory is gone
    with pytest.raises(CorruptFileError) as e:
        read_file(path)
    _coded(e.value, path)


def test_docx_without_body(tmp_path):
    parts = _docx_parts()
    parts["word/document.xml"] = (b'<?xml version="1.0"?><w:document xmlns:w='
                                  b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    path = tmp_path / "nobody.docx"
    path.write_bytes(_zip(parts))
    with pytest.raises(CorruptFileError):
        read_file(path)


def test_docx_named_pdf_is_read_by_content(tmp_path):
    path = tmp_path / "notice.pdf"
    shutil.copy(A_DOCX, path)
    doc = read_file(path)
    assert doc.source_format == "docx"
    assert doc.text == read_file(A_DOCX).text


def test_pdf_named_txt_is_read_by_content(tmp_path):
    path = tmp_path / "notice.txt"
    shutil.copy(A_PDF, path)
    doc = read_file(path, ocr=False)
    assert doc.source_format == "pdf"
    assert "安全" in doc.text


def test_html_named_doc_is_read_by_content(tmp_path):
    path = tmp_path / "notice.doc"
    shutil.copy(A_HTML, path)
    doc = read_file(path)
    assert doc.source_format == "html"
    assert doc.text == read_file(A_HTML).text


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(A_PDF.read_bytes()[:5000])
    with pytest.raises(CorruptFileError) as e:
        read_file(path, ocr=False)
    _coded(e.value, path)


def _encrypted_pdf() -> bytes:
    """A PDF under the standard security handler whose user password is not empty:
    no reader can open it without the password."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"A1" * 32 + b"> /U <" + b"B2" * 32 + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    file_id = b"0123456789ABCDEF" * 2
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n"
            % (len(objs) + 1, file_id, file_id))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf())
    with pytest.raises(EncryptedFileError) as e:
        read_file(path, ocr=False)
    _coded(e.value, path)


def test_encrypted_office_file(tmp_path):
    """Office wraps a password-protected DOCX in an OLE2 file with an EncryptedPackage stream."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1C:0x1E] = b"\xfe\xff"
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    header[0x20:0x22] = (6).to_bytes(2, "little")
    header[0x30:0x34] = (0).to_bytes(4, "little")  # the directory in sector 0
    directory = "EncryptedPackage".encode("utf-16-le").ljust(512, b"\x00")
    path = tmp_path / "locked.docx"
    path.write_bytes(bytes(header) + directory + bytes(512))
    with pytest.raises(EncryptedFileError) as e:
        read_file(path)
    _coded(e.value, path)


def test_truncated_and_garbage_doc(tmp_path):
    cut = tmp_path / "cut.doc"
    cut.write_bytes(A_DOC.read_bytes()[:4096])
    with pytest.raises(CorruptFileError) as e:
        read_file(cut)
    _coded(e.value, cut)
    garbage = tmp_path / "garbage.doc"
    garbage.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    with pytest.raises(CorruptFileError):
        read_file(garbage)


def test_unknown_binary(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFormatError) as e:
        read_file(path)
    _coded(e.value, path)


def _ofd_bytes() -> bytes:
    from test_ingest_ofd import build_ofd, notice_pages  # the OFD the OFD tests build
    return build_ofd(notice_pages())


def _generated_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于印发工作要点的通知")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "序号"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["docx", "generated_docx", "html", "ofd", "txt"])
def test_damaged_files_end_as_document_or_coded_error(kind):
    """Truncations and flipped bytes: a Document or a PolicyParseError, nothing else."""
    source = {
        "docx": lambda: A_DOCX.read_bytes(),
        "generated_docx": _generated_docx,
        "html": lambda: A_HTML.read_bytes(),
        "ofd": _ofd_bytes,
        "txt": lambda: (ROOT / "corpus" / "renderings" / "gbk" / "004_e08651c05d5d587d.txt").read_bytes(),
    }[kind]()
    rng = random.Random(20231)
    variants = [source[:n] for n in (1, 10, 100, len(source) // 3, len(source) - 1)]
    for _ in range(25):
        data = bytearray(source)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        variants.append(bytes(data))
    outcomes = set()
    for data in variants:
        try:
            read_bytes(data, f"damaged.{kind}")
            outcomes.add("document")
        except PolicyParseError as e:
            assert e.code.startswith("E1") and str(e).startswith(f"[{e.code}]")
            outcomes.add(type(e).__name__)
    assert outcomes  # every variant ended in one of the two ways


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    parts = _docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"][:-200]
    files = {
        "empty.docx": (b"", "EmptyFileError"),
        "archive.docx": (_zip({"a.txt": b"x"}), "UnsupportedFormatError"),
        "broken.docx": (_zip(parts), "CorruptFileError"),
        "cut.pdf": (A_PDF.read_bytes()[:5000], "CorruptFileError"),
        "locked.pdf": (_encrypted_pdf(), "EncryptedFileError"),
        "garbage.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "CorruptFileError"),
    }
    out = {}
    for name, (data, error) in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = (tmp_path / name, error)
    return out


def test_cli_reports_bad_files_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from policyparse.cli import app

    runner = CliRunner()
    for name, (path, error) in _bad_files(tmp_path).items():
        result = runner.invoke(app, ["inspect", "--no-ocr", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), name
        assert "Traceback" not in result.output
        assert error in result.output and "[E1" in result.output, (name, result.output)
