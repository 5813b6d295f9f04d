"""Error codes of the surveys app (stable strings for API clients)."""

from enum import StrEnum


class SurveyErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CHOICE = "unknown_choice"
    UNKNOWN_QUESTION = "unknown_question"
    UNKNOWN_ROW = "unknown_row"
    UNKNOWN_SURVEY = "unknown_survey"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_TOUCHPOINT = "unknown_touchpoint"
    UNKNOWN_TEAM = "unknown_team"
    UNKNOWN_AGENT = "unknown_agent"
    UNKNOWN_LANGUAGE = "unknown_language"
    DUPLICATE_IN_BATCH = "duplicate_in_batch"
    TOO_MANY = "too_many"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    ALREADY_ANSWERED = "already_answered"
    SURVEY_CLOSED = "survey_closed"
    RATE_LIMITED = "rate_limited"
