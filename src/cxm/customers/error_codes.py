"""Error codes of the customers app (stable strings for API clients)."""

from enum import StrEnum


class CustomerErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    UNKNOWN_CHOICE = "unknown_choice"
    DUPLICATE_IN_BATCH = "duplicate_in_batch"
    TOO_MANY = "too_many"
