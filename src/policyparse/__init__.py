"""policyparse: Chinese government work notices into structured tables.

ingest (every format → :class:`Document`) → segment (header, outline, tables)
→ extract (tasks, units, deadlines, frequencies, targets) → export (Parquet).
"""
from .export.load import load
from .model import SCHEMA_VERSION, Document
from .pipeline import PIPELINE_VERSION, parse_bytes, parse_file

__version__ = PIPELINE_VERSION
__all__ = ["Document", "SCHEMA_VERSION", "PIPELINE_VERSION", "parse_file", "parse_bytes", "load"]
