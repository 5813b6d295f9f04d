"""Error codes of the imports app (stable strings for API clients and the error report)."""

from enum import StrEnum


class ImportErrorCode(StrEnum):
    UNKNOWN_KIND = "unknown_kind"
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNREADABLE_FILE = "unreadable_file"
    MISSING_COLUMN = "missing_column"
    INVALID_MAPPING = "invalid_mapping"
    INVALID_STATE = "invalid_state"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    ROW_INVALID = "row_invalid"
    NOTHING_TO_IMPORT = "nothing_to_import"
