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


# --- hostile input and isolation (issue 10) -------------------------------------------


class FormatMismatchError(IngestError):
    """An Office extension (.docx, .pdf, .ofd ...) on bytes that are no such package
    (plain text or one byte named .docx): refused rather than read as something else."""

    code = "E108"


class LimitExceededError(IngestError):
    """A file beyond one of the limits of ``policyparse.limits`` (E11x, one code per family);
    ``limit`` names the setting that ``--limit NAME=VALUE`` raises."""

    code = "E110"

    def __init__(self, message: str, *, path: str | None = None, limit: str | None = None):
        super().__init__(message, path=path)
        self.limit = limit


class WorkerTimeoutError(ExportError):
    """A document that ran past the wall-clock limit: its worker was killed and replaced."""

    code, stage = "E403", "batch"


class WorkerMemoryError(ExportError):
    """A document that needed more memory than a worker may use (MemoryError under the
    address-space limit, or the resident-memory watchdog): its worker was replaced."""

    code, stage = "E404", "batch"


class SpecialFileError(ExportError):
    """A device, FIFO or socket among the inputs: skipped, never opened (reading
    /dev/zero never ends, opening a FIFO blocks)."""

    code, stage = "E405", "batch"


class SymlinkEscapeError(ExportError):
    """A symbolic link that leads outside the input folders (or in a loop): not followed
    unless --follow-symlinks, so a link to /etc/passwd never becomes a document."""

    code, stage = "E406", "batch"
