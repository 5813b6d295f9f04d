"""Error codes of the journeys app (stable strings for API clients)."""

from enum import StrEnum


class JourneyErrorCode(StrEnum):
    INVALID_MOVE = "invalid_move"
    OTHER_JOURNEY = "other_journey"
