"""Error codes of the referrals app (stable strings for API clients)."""

from enum import StrEnum


class ReferralErrorCode(StrEnum):
    UNKNOWN_CODE = "unknown_referral_code"
    SELF_REFERRAL = "self_referral"
    ALREADY_REFERRED = "already_referred"
    UNKNOWN_CUSTOMER = "unknown_customer"
