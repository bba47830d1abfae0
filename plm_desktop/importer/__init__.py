"""The usage import: CSV exports from any analytics tool into the store, whole or not at all.

Plain Python, no Qt. The window and the command line both go through
:func:`plm_desktop.pipeline.import_usage`, which calls :func:`import_usage_file`.
"""

from plm_desktop.importer.errors import ImportCancelled, ImportRejected, Problem
from plm_desktop.importer.mapping import (
    CANONICAL_FIELDS,
    HeaderMapping,
    MappingError,
    map_headers,
    normalise_header,
    parse_override,
)
from plm_desktop.importer.preview import Preview, preview_file
from plm_desktop.importer.sniff import CsvSource, open_csv
from plm_desktop.importer.usage import ImportResult, import_usage_file
from plm_desktop.importer.weeks import monday_of, parse_week, week_from_file_name

__all__ = [
    "CANONICAL_FIELDS",
    "CsvSource",
    "HeaderMapping",
    "ImportCancelled",
    "ImportRejected",
    "ImportResult",
    "MappingError",
    "Preview",
    "Problem",
    "import_usage_file",
    "map_headers",
    "monday_of",
    "normalise_header",
    "open_csv",
    "parse_override",
    "parse_week",
    "preview_file",
    "week_from_file_name",
]
