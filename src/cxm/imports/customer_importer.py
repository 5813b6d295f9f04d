"""The customer importer: spreadsheet rows → `clean_customer_input` → `customers_upsert`.

Validation and writing are the customers app's own functions, so an import accepts and
rejects exactly what the API does, and re-importing a file updates by external id.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from cxm.accounts.roles import Capability
from cxm.channels.models import Channel
from cxm.core.spreadsheets import cell_text
from cxm.core.text import clean_text, to_latin_digits
from cxm.customers.services import customers_upsert
from cxm.customers.validation import CustomerInputError, clean_customer_input
from cxm.imports.registry import (
    BatchResult,
    Importer,
    RowContext,
    RowInvalid,
    TargetField,
    register_importer,
)

# Header names people use for each field, in Persian, Arabic, Hungarian and English.
# (The field's own name and its translated label match too.)
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "customer id",
        "customer code",
        "code",
        "external id",
        "customer number",
        "شناسه",
        "شناسه مشتری",
        "کد مشتری",
        "کد",
        "شماره مشتری",
        "کد اشتراک",
        "المعرف",
        "معرف العميل",
        "رقم العميل",
        "رمز العميل",
        "كود العميل",
        "azonosító",
        "ügyfél azonosító",
        "ügyfélazonosító",
        "külső azonosító",
        "ügyfélkód",
    ),
    "name": (
        "full name",
        "customer name",
        "customer",
        "نام",
        "نام و نام خانوادگی",
        "نام مشتری",
        "نام کامل",
        "مشتری",
        "الاسم",
        "اسم",
        "الاسم الكامل",
        "اسم العميل",
        "العميل",
        "név",
        "teljes név",
        "ügyfél neve",
        "ügyfélnév",
        "ügyfél",
    ),
    "phone": (
        "mobile",
        "phone number",
        "mobile number",
        "cell",
        "cellphone",
        "tel",
        "telephone",
        "تلفن",
        "موبایل",
        "شماره تلفن",
        "شماره موبایل",
        "تلفن همراه",
        "شماره همراه",
        "همراه",
        "الهاتف",
        "هاتف",
        "الجوال",
        "جوال",
        "رقم الهاتف",
        "رقم الجوال",
        "الموبايل",
        "المحمول",
        "telefon",
        "telefonszám",
        "mobil",
        "mobilszám",
        "mobiltelefon",
    ),
    "email": (
        "e-mail",
        "mail",
        "email address",
        "e-mail address",
        "ایمیل",
        "پست الکترونیک",
        "پست الکترونیکی",
        "رایانامه",
        "البريد الإلكتروني",
        "البريد الالكتروني",
        "بريد الكتروني",
        "البريد",
        "ايميل",
        "e-mail cím",
        "email cím",
        "emailcím",
        "levélcím",
    ),
    "telegram": ("telegram id", "تلگرام", "آیدی تلگرام", "تيليجرام", "تلغرام", "تليجرام"),
    "preferred_language": (
        "language",
        "lang",
        "زبان",
        "زبان ترجیحی",
        "اللغة",
        "اللغة المفضلة",
        "nyelv",
        "preferált nyelv",
        "kívánt nyelv",
    ),
    "preferred_channel": (
        "channel",
        "کانال",
        "کانال ترجیحی",
        "کانال ارتباطی",
        "القناة",
        "القناة المفضلة",
        "csatorna",
        "preferált csatorna",
    ),
    "lifecycle_stage": (
        "lifecycle",
        "stage",
        "مرحله",
        "چرخه عمر",
        "مرحله چرخه عمر",
        "وضعیت مشتری",
        "المرحلة",
        "مرحلة دورة الحياة",
        "دورة الحياة",
        "életciklus",
        "életciklus szakasz",
        "szakasz",
    ),
    "club_tier": (
        "tier",
        "club",
        "membership",
        "membership tier",
        "باشگاه",
        "سطح باشگاه",
        "سطح عضویت",
        "النادي",
        "مستوى النادي",
        "فئة العضوية",
        "klub",
        "klubszint",
        "klub szint",
        "tagsági szint",
    ),
    "club_joined_on": (
        "club joined",
        "joined",
        "member since",
        "club member since",
        "تاریخ عضویت",
        "عضویت از",
        "تاريخ الانضمام",
        "عضو منذ",
        "klubtag óta",
        "csatlakozás",
        "belépés dátuma",
    ),
    "segments": (
        "segment",
        "tags",
        "tag",
        "بخش",
        "بخش ها",
        "برچسب",
        "برچسب ها",
        "سگمنت",
        "گروه",
        "الشرائح",
        "الشريحة",
        "الوسوم",
        "وسوم",
        "szegmens",
        "szegmensek",
        "címke",
        "címkék",
    ),
    "attributes": ("ویژگی ها", "مشخصات", "السمات", "الخصائص", "attribútumok", "tulajdonságok"),
}


@register_importer
class CustomerImporter(Importer):
    """Customers by external id: contact points, language, channel, stage, club,
    segments, attributes and one consent column per channel (`consent_<channel code>`)."""

    kind = "customers"
    label = _("Customers")
    capability = Capability.CUSTOMERS_IMPORT
    key_field = "external_id"
    batch_size = 2000

    def fields(self, options: Mapping[str, Any] | None = None) -> Sequence[TargetField]:
        """Fixed fields plus one consent field per channel (one query)."""
        fixed = [
            TargetField(
                "external_id",
                _("External id"),
                required=True,
                help_text=_("Imports update the customer with the same external id."),
            ),
            TargetField("name", _("Name"), required=True),
            TargetField("phone", _("Phone")),
            TargetField("email", _("E-mail")),
            TargetField("telegram", _("Telegram")),
            TargetField("preferred_language", _("Preferred language")),
            TargetField("preferred_channel", _("Preferred channel")),
            TargetField("lifecycle_stage", _("Lifecycle stage")),
            TargetField("club_tier", _("Club tier")),
            TargetField("club_joined_on", _("Club member since")),
            TargetField(
                "segments",
                _("Segments"),
                help_text=_("Several segments separated by a comma or semicolon."),
            ),
            TargetField("attributes", _("Attributes"), help_text=_("A JSON object.")),
        ]
        fixed = [
            TargetField(f.name, f.label, f.required, ALIASES.get(f.name, ()), f.help_text)
            for f in fixed
        ]
        consents = [
            TargetField(
                f"consent_{channel.code}",
                _("Consent: %(channel)s") % {"channel": channel.label},
                aliases=(
                    f"consent {channel.code}",
                    f"{channel.code} consent",
                    f"{channel.code} opt in",
                    f"رضایت {channel.code}",
                    f"موافقة {channel.code}",
                    f"hozzájárulás {channel.code}",
                ),
                help_text=_("opt_in or opt_out (yes/no, بله/خیر, نعم/لا, igen/nem)."),
            )
            for channel in Channel.objects.order_by("position", "code")
        ]
        return [*fixed, *consents]

    def context(self, *, actor: Any, options: Mapping[str, Any] | None = None) -> RowContext:
        codes = set(Channel.objects.values_list("code", flat=True))
        return RowContext(actor=actor, data={"channel_codes": codes})

    def row_key(self, values: Mapping[str, Any]) -> str:
        return to_latin_digits(clean_text(cell_text(values.get("external_id"))))

    def clean_row(self, values: Mapping[str, Any], context: RowContext) -> Any:
        raw = {
            name: (value if name == "club_joined_on" else cell_text(value))
            for name, value in values.items()
        }
        try:
            return clean_customer_input(raw, channel_codes=context.data["channel_codes"])
        except CustomerInputError as exc:
            raise RowInvalid(exc.errors) from None

    def write_batch(self, items: Sequence[Any], *, context: RowContext, source: str) -> BatchResult:
        result = customers_upsert(items=items, source=source, actor=context.actor)
        return BatchResult(
            created=result.created, updated=result.updated, unchanged=result.unchanged
        )
