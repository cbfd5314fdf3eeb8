"""Coded errors. A failure is a row in the ``failures`` table, never a traceback.

Codes: E0xx usage (nothing is published), E1xx ingest, E2xx segment, E3xx extract,
E4xx export / batch.
"""
from __future__ import annotations


class PolicyParseError(Exception):
    """Base class: every error the pipeline raises on purpose carries a code and a stage."""

    code = "E000"
    stage = "pipeline"

    def __init__(self, message: str, *, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"[{self.code}] {self.message}{where}"


class UsageError(PolicyParseError):
    """A mistake on the command line or in the environment (a mistyped input path, an OUT
    that is a file, inputs with no notice): the run stops before it publishes anything,
    so the tables and the cache of the last good run stay as they were."""

    code, stage = "E001", "usage"


class IngestError(PolicyParseError):
    code, stage = "E100", "ingest"


class EmptyFileError(IngestError):
    code = "E101"


class UnsupportedFormatError(IngestError):
    code = "E102"


class CorruptFileError(IngestError):
    """The bytes claim a format but cannot be read as it (truncated PDF, ZIP that is no DOCX)."""

    code = "E103"


class EncryptedFileError(IngestError):
    code = "E104"


class MissingDependencyError(IngestError):
    """An optional reader needs a program or package that is not installed."""

    code = "E105"


class DecodeError(IngestError):
    code = "E106"


class NoTextError(IngestError):
    """The file was read but holds no text (an image-only PDF without OCR, say)."""

    code = "E107"


class SegmentError(PolicyParseError):
    code, stage = "E200", "segment"


class ExtractError(PolicyParseError):
    code, stage = "E300", "extract"


class ComponentError(PolicyParseError):
    """A pipeline that cannot be built: an unknown step, a missing layer, a bad pipeline.yaml."""

    code, stage = "E302", "extract"


class GazetteerError(PolicyParseError):
    """Data under gazetteers/ that does not follow its schema."""

    code, stage = "E301", "extract"


class ExportError(PolicyParseError):
    code, stage = "E400", "export"
