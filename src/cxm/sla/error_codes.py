"""Error codes of the sla app (stable strings for API clients)."""

from enum import StrEnum


class SlaErrorCode(StrEnum):
    INVALID_CALENDAR = "invalid_calendar"
    DUPLICATE_NAME = "duplicate_name"
    DUPLICATE_HOLIDAY = "duplicate_holiday"
    UNKNOWN_COUNTRY = "unknown_country"
    BAD_ICS = "bad_ics"
    BAD_JSON = "bad_json"
    IN_USE = "in_use"
