"""Social posts and reviews from exports: CSV/XLSX through the generic importer (column
mapping, dry run, error report: `/imports/new/?kind=social_posts`), JSON through
`social_posts_from_json` on the social import page. Both validate rows with the same
`clean_social_row`, and both store with `social_posts_store` (analysis queued after commit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.core.spreadsheets import cell_text, match_headers
from cxm.core.text import clean_text
from cxm.imports.registry import (
    BatchResult,
    Importer,
    RowContext,
    RowInvalid,
    TargetField,
    UploadOption,
    register_importer,
)
from cxm.textanalytics.error_codes import TextErrorCode as Code
from cxm.textanalytics.models import SocialPlatform, SourceKind
from cxm.textanalytics.services import SocialPostData, social_posts_store

MAX_TEXT_LENGTH = 100_000
MAX_JSON_BYTES = 20 * 1024 * 1024
JSON_BATCH = 2_000

_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("message", "content", "body", "caption", "review", "متن", "پیام", "النص", "الرسالة",
             "szöveg", "üzenet"),
    "posted_at": ("date", "time", "created_at", "timestamp", "تاریخ", "زمان", "التاريخ", "dátum",
                  "időpont"),
    "platform": ("network", "source", "پلتفرم", "شبکه", "المنصة"),
    "external_id": ("id", "post_id", "شناسه", "المعرف", "azonosító"),
    "author_handle": ("author", "from", "user", "username", "handle", "نویسنده", "کاربر",
                      "الكاتب", "szerző"),
    "url": ("link", "permalink", "لینک", "الرابط", "hivatkozás"),
}  # fmt: skip
FIELDS: tuple[tuple[str, Any, bool], ...] = (
    ("text", gettext_lazy("Text"), True),
    ("posted_at", gettext_lazy("Posted at"), True),
    ("platform", gettext_lazy("Platform"), False),
    ("external_id", gettext_lazy("Post id"), False),
    ("author_handle", gettext_lazy("Author"), False),
    ("url", gettext_lazy("Link"), False),
)

_PLATFORM_NAMES = {
    **{p.value: p.value for p in SocialPlatform},
    "twitter": SocialPlatform.X,
    "tweet": SocialPlatform.X,
    "insta": SocialPlatform.INSTAGRAM,
    "fb": SocialPlatform.FACEBOOK,
    "تلگرام": SocialPlatform.TELEGRAM,
    "اینستاگرام": SocialPlatform.INSTAGRAM,
    "review": SocialPlatform.REVIEWS,
}


def target_fields() -> list[TargetField]:
    return [TargetField(name, label, required, _ALIASES[name]) for name, label, required in FIELDS]


def _platform(raw: str, default: str) -> str:
    value = clean_text(raw).casefold()
    if not value:
        return default
    return str(_PLATFORM_NAMES.get(value, ""))


def clean_social_row(values: Mapping[str, Any], *, default_platform: str) -> SocialPostData:
    """One post from raw cells (by target field name). Raises RowInvalid."""
    from cxm.surveys.importer import parse_moment

    errors: dict[str, tuple[str, str]] = {}
    text = (
        str(values.get("text") or "").strip()
        if not isinstance(values.get("text"), (dict, list))
        else ""
    )
    if not text:
        errors["text"] = ("required", _("The text is empty."))
    elif len(text) > MAX_TEXT_LENGTH:
        errors["text"] = ("too_long", _("The text is longer than 100,000 characters."))
    posted_at = None
    raw_moment = values.get("posted_at")
    if raw_moment in (None, ""):
        errors["posted_at"] = ("required", _("The date is missing."))
    else:
        try:
            posted_at = parse_moment(raw_moment)
        except (ValueError, TypeError, OverflowError):
            errors["posted_at"] = ("invalid", _("Not a date: %(value)s") % {"value": raw_moment})
    platform = _platform(cell_text(values.get("platform")), default_platform)
    if not platform:
        errors["platform"] = (
            "invalid",
            _("Unknown platform: %(value)s") % {"value": cell_text(values.get("platform"))},
        )
    url = clean_text(cell_text(values.get("url")))
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = ("invalid", _("Not a web link: %(value)s") % {"value": url})
    external_id = clean_text(cell_text(values.get("external_id")))[:200]
    if errors:
        raise RowInvalid(errors)
    assert posted_at is not None
    return SocialPostData(
        platform=platform,
        kind=SourceKind.IMPORTED_REVIEW
        if platform == SocialPlatform.REVIEWS
        else SourceKind.SOCIAL_POST,
        text=text,
        posted_at=posted_at,
        external_id=external_id,
        author_handle=clean_text(cell_text(values.get("author_handle")))[:200],
        url=url[:500],
    )


def _platform_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in SocialPlatform.choices]


@register_importer
class SocialPostImporter(Importer):
    """Social posts or reviews from a platform's export (one row per post)."""

    kind = "social_posts"
    label = gettext_lazy("Social posts and reviews")
    capability = Capability.TEXT_CHANGE
    key_field = "external_id"
    batch_size = 2000

    def option_fields(self) -> Sequence[UploadOption]:
        return [
            UploadOption(
                "platform",
                gettext_lazy("Platform"),
                choices=_platform_choices,
                help_text=gettext_lazy("For posts whose row names no platform."),
            )
        ]

    def clean_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        value = str(raw.get("platform") or "").strip()
        if value not in SocialPlatform.values:
            raise ApplicationError(_("Choose the platform of the posts."), code=Code.INVALID)
        return {"platform": value}

    def fields(self, options: Mapping[str, Any] | None = None) -> Sequence[TargetField]:
        return target_fields()

    def clean_row(self, values: Mapping[str, Any], context: RowContext) -> Any:
        return clean_social_row(
            values, default_platform=str(context.options.get("platform") or SocialPlatform.OTHER)
        )

    def write_batch(self, items: Sequence[Any], *, context: RowContext, source: str) -> BatchResult:
        result = social_posts_store(posts=items, actor=context.actor)
        return BatchResult(created=result.created, unchanged=result.duplicates)


# ------------------------------------------------------------------------------ JSON


@dataclass
class JsonImportResult:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, message)


def _records(payload: Any) -> list[Any]:
    """A list of posts, or {"posts"|"data"|"items"|"messages": [...]} as exports write it
    (Telegram Desktop's export has "messages")."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("posts", "data", "items", "messages", "results"):
            if isinstance(payload.get(key), list):
                return list(payload[key])
    raise ApplicationError(_("The JSON file holds no list of posts."), code=Code.BAD_FILE)


def _flatten_text(value: Any) -> Any:
    """Telegram exports write rich text as a list of strings and {"text": ...} pieces."""
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else str((p or {}).get("text", "")) for p in value)
    return value


def _iter_batches(records: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


def social_posts_from_json(
    stream: IO[bytes], *, default_platform: str, actor: Any, size: int | None = None
) -> JsonImportResult:
    """Read a JSON export (a list of objects), map its keys to the fields by the same
    aliases as the spreadsheet import, store the good rows and report the bad ones by row
    number (1 = the first object). Raises ApplicationError for a file that is not JSON."""
    if size is not None and size > MAX_JSON_BYTES:
        raise ApplicationError(
            _("The file is larger than 20 MB; import it as CSV instead."), code=Code.BAD_FILE
        )
    raw = stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise ApplicationError(
            _("The file is larger than 20 MB; import it as CSV instead."), code=Code.BAD_FILE
        )
    try:
        payload = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ApplicationError(_("The file is not UTF-8 text."), code=Code.BAD_FILE) from None
    except ValueError:
        raise ApplicationError(_("The file is not valid JSON."), code=Code.BAD_FILE) from None
    records = _records(payload)
    result = JsonImportResult(rows=len(records))
    aliases = {t.name: (t.name, str(t.label), *t.aliases) for t in target_fields()}
    for batch_number, batch in enumerate(_iter_batches(records, JSON_BATCH)):
        posts: list[SocialPostData] = []
        for offset, record in enumerate(batch):
            row = batch_number * JSON_BATCH + offset + 1
            if not isinstance(record, dict):
                result.errors.append((row, "", _("Not an object.")))
                continue
            keys = list(record)
            mapping = match_headers([str(k) for k in keys], aliases)
            values = {name: _flatten_text(record[keys[index]]) for name, index in mapping.items()}
            try:
                posts.append(clean_social_row(values, default_platform=default_platform))
            except RowInvalid as exc:
                for name, (_code, message) in exc.errors.items():
                    result.errors.append((row, name, message))
        if posts:
            stored = social_posts_store(posts=posts, actor=actor)
            result.created += stored.created
            result.duplicates += stored.duplicates
    return result
