"""Turning raw customer data (a form, an API item, a spreadsheet row) into clean values.

One function, `clean_customer_input`, serves the API, the bulk upsert and the importer, so
every path accepts and rejects the same things with the same translated messages.
"""

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from cxm.core.jalali import parse_date
from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.core.text import clean_text, normalize_search, to_latin_digits
from cxm.customers.error_codes import CustomerErrorCode as Code
from cxm.customers.models import ClubTier, ConsentStatus, Language, LifecycleStage

FIELDS = (
    "external_id",
    "name",
    "phone",
    "email",
    "telegram",
    "preferred_language",
    "preferred_channel",
    "lifecycle_stage",
    "club_tier",
    "club_joined_on",
    "segments",
    "attributes",
    "consents",
)
REQUIRED_FIELDS = ("external_id", "name")
_TELEGRAM = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]{4,31}|-?\d{5,20})$")


@dataclass
class CleanCustomer:
    external_id: str
    name: str
    phone: str = ""
    email: str = ""
    telegram: str = ""
    preferred_language: str = ""
    preferred_channel: str = ""  # channel code
    lifecycle_stage: str = ""
    club_tier: str | None = None  # None: leave as is on update
    club_joined_on: dt.date | None = None
    segments: list[str] | None = None
    attributes: dict[str, Any] | None = None
    consents: dict[str, str] = field(default_factory=dict)  # channel code -> opt_in/opt_out
    present: frozenset[str] = frozenset()  # which fields the input named


class CustomerInputError(Exception):
    """`errors` maps a field name to (code, translated message)."""

    def __init__(self, errors: dict[str, tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


@functools.cache
def _choice_keys(choices: Any) -> dict[str, str]:
    """Normalised code and label, in each of the four languages, of every choice."""
    keys: dict[str, str] = {}
    for language in ("en", "hu", "ar", "fa"):
        with translation.override(language):
            for code, label in choices.choices:
                keys[normalize_search(str(label))] = str(code)
    for code, _label in choices.choices:
        keys[normalize_search(str(code))] = str(code)
    return keys


def _choice(value: str, choices: Any, aliases: Mapping[str, str] | None = None) -> str | None:
    """Match a code or a label (in any of the four languages) of `choices`."""
    keys = _choice_keys(choices)
    if value in keys:  # already a code, the common case
        return keys[value]
    key = normalize_search(value)
    if key in keys:
        return keys[key]
    if aliases and key in aliases:
        return aliases[key]
    return None


_LANGUAGE_ALIASES = {
    normalize_search(k): v
    for k, v in {
        "فارسی": "fa",
        "persian": "fa",
        "farsi": "fa",
        "پارسی": "fa",
        "العربية": "ar",
        "عربی": "ar",
        "عربي": "ar",
        "arabic": "ar",
        "magyar": "hu",
        "hungarian": "hu",
        "انگلیسی": "en",
        "english": "en",
        "angol": "en",
    }.items()
}
_CONSENT_ALIASES = {
    normalize_search(k): v
    for k, v in {
        "yes": "opt_in",
        "y": "opt_in",
        "1": "opt_in",
        "true": "opt_in",
        "in": "opt_in",
        "بله": "opt_in",
        "نعم": "opt_in",
        "igen": "opt_in",
        "no": "opt_out",
        "n": "opt_out",
        "0": "opt_out",
        "false": "opt_out",
        "out": "opt_out",
        "خیر": "opt_out",
        "لا": "opt_out",
        "nem": "opt_out",
    }.items()
}


def clean_customer_input(
    raw: Mapping[str, Any], *, channel_codes: set[str], prefer_jalali: bool = False
) -> CleanCustomer:
    """Validate one customer. Raises CustomerInputError listing every bad field."""
    errors: dict[str, tuple[str, str]] = {}
    present = frozenset(k for k in raw if k in FIELDS or k.startswith("consent_"))

    def text(name: str, max_length: int) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        result = clean_text(value if isinstance(value, str) else str(value))
        if len(result) > max_length:
            errors[name] = (Code.TOO_LONG, _("At most %(n)d characters.") % {"n": max_length})
        return result

    external_id = to_latin_digits(text("external_id", 100))
    name = text("name", 200)
    for required, value in (("external_id", external_id), ("name", name)):
        if not value and required not in errors:
            errors[required] = (Code.REQUIRED, _("This field is required."))

    phone = ""
    raw_phone = text("phone", 40)
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except InvalidPhoneNumber:
            errors["phone"] = (
                Code.INVALID_PHONE,
                _("“%(value)s” is not a valid phone number.") % {"value": raw_phone},
            )

    email = text("email", 254).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = (
                Code.INVALID_EMAIL,
                _("“%(value)s” is not a valid e-mail address.") % {"value": email},
            )

    telegram = text("telegram", 100).lstrip("@")
    if telegram and not _TELEGRAM.match(to_latin_digits(telegram)):
        errors["telegram"] = (Code.INVALID, _("Give a Telegram username or a numeric chat id."))

    language = ""
    if raw_language := text("preferred_language", 50):
        language = _choice(raw_language, Language, _LANGUAGE_ALIASES) or ""
        if not language:
            errors["preferred_language"] = (
                Code.UNKNOWN_CHOICE,
                _("Unknown language “%(value)s”; use fa, ar, hu or en.") % {"value": raw_language},
            )

    channel = text("preferred_channel", 50).lower()
    if channel and channel not in channel_codes:
        errors["preferred_channel"] = (
            Code.UNKNOWN_CHOICE,
            _("Unknown channel “%(value)s”.") % {"value": channel},
        )

    stage = ""
    if raw_stage := text("lifecycle_stage", 50):
        stage = _choice(raw_stage, LifecycleStage) or ""
        if not stage:
            errors["lifecycle_stage"] = (
                Code.UNKNOWN_CHOICE,
                _("Unknown lifecycle stage “%(value)s”.") % {"value": raw_stage},
            )

    tier: str | None = None
    if "club_tier" in raw:
        raw_tier = text("club_tier", 50)
        tier = _choice(raw_tier, ClubTier) if raw_tier else ""
        if tier is None:
            errors["club_tier"] = (
                Code.UNKNOWN_CHOICE,
                _("Unknown club tier “%(value)s”.") % {"value": raw_tier},
            )

    joined: dt.date | None = None
    raw_joined = raw.get("club_joined_on")
    if isinstance(raw_joined, dt.datetime):
        joined = raw_joined.date()
    elif isinstance(raw_joined, dt.date):
        joined = raw_joined
    elif raw_joined not in (None, ""):
        try:
            joined = parse_date(str(raw_joined).split("T")[0].split(" ")[0], prefer_jalali)
        except ValueError:
            errors["club_joined_on"] = (Code.INVALID, _("Enter a valid date as YYYY/MM/DD."))

    segments: list[str] | None = None
    if "segments" in raw:
        raw_segments = raw.get("segments")
        items = (
            raw_segments
            if isinstance(raw_segments, list)
            else re.split(r"[;,،|]", str(raw_segments or ""))
        )
        segments = sorted({clean_text(str(s))[:100] for s in items if clean_text(str(s))})

    attributes: dict[str, Any] | None = None
    if "attributes" in raw and raw["attributes"] not in (None, ""):
        raw_attributes: Any = raw["attributes"]
        if isinstance(raw_attributes, str):
            try:
                raw_attributes = json.loads(raw_attributes)
            except json.JSONDecodeError:
                raw_attributes = None
        if isinstance(raw_attributes, dict):
            attributes = raw_attributes
        else:
            errors["attributes"] = (Code.INVALID, _("Attributes must be a JSON object."))

    consents: dict[str, str] = {}
    raw_consents: dict[str, Any] = {}
    if isinstance(raw.get("consents"), Mapping):
        raw_consents.update(raw["consents"])
    for key, value in raw.items():
        if key.startswith("consent_"):
            raw_consents[key.removeprefix("consent_")] = value
    for code, value in raw_consents.items():
        if value in (None, ""):
            continue
        key = f"consent_{code}"
        if code not in channel_codes:
            errors[key] = (Code.UNKNOWN_CHOICE, _("Unknown channel “%(value)s”.") % {"value": code})
            continue
        status = _choice(str(value), ConsentStatus, _CONSENT_ALIASES)
        if status is None:
            errors[key] = (
                Code.UNKNOWN_CHOICE,
                _("Consent must be opt_in or opt_out, not “%(value)s”.") % {"value": value},
            )
            continue
        consents[code] = status

    if errors:
        raise CustomerInputError(errors)
    return CleanCustomer(
        external_id=external_id,
        name=name,
        phone=phone,
        email=email,
        telegram=telegram,
        preferred_language=language,
        preferred_channel=channel,
        lifecycle_stage=stage,
        club_tier=tier,
        club_joined_on=joined,
        segments=segments,
        attributes=attributes,
        consents=consents,
        present=present,
    )
