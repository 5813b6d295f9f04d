"""Error codes of the cases app (stable strings for API clients)."""

from enum import StrEnum


class CaseErrorCode(StrEnum):
    INVALID = "invalid"
    CASE_CLOSED = "case_closed"
    CASE_MERGED = "case_merged"
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_STATUS = "unknown_status"
    NOT_ALLOWED = "not_allowed"
    EMPTY_MESSAGE = "empty_message"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_FORBIDDEN = "attachment_forbidden"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    MERGE_SELF = "merge_self"
    NO_CHANNEL = "no_channel"
    BAD_RATING = "bad_rating"
    # configuration (cxm.cases.config_services)
    DUPLICATE_CODE = "duplicate_code"
    IN_USE = "in_use"
    LAST_STATUS = "last_status"
    NEEDS_DEFAULT = "needs_default"
    BAD_DURATION = "bad_duration"
    BAD_ESCALATION = "bad_escalation"
    BAD_THRESHOLD = "bad_threshold"
    BAD_TEMPLATE = "bad_template"
