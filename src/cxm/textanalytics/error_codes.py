"""Error codes of text analytics (stable strings for API clients)."""

from enum import StrEnum


class TextErrorCode(StrEnum):
    INVALID = "invalid"
    TOO_MANY_TEXTS = "too_many_texts"
    UNKNOWN_LABEL = "unknown_label"
    UNKNOWN_TOPIC = "unknown_topic"
    TOPIC_CYCLE = "topic_cycle"
    BAD_FILE = "bad_file"
    TRAINING_RUNNING = "training_running"
    NO_TRAINING_DATA = "no_training_data"
