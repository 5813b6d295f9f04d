"""Demo journey maps: ordering food in a delivery app, and activating a SIM card with an
internet package. Written in Persian, as the demo organisation works.

`load_demo_journeys` is idempotent: a journey whose name already exists is left alone.
"""

from dataclasses import dataclass, field

from django.db import transaction

from cxm.accounts.models import Unit
from cxm.channels.models import Channel, ChannelKind
from cxm.journeys import services
from cxm.journeys.models import Journey, Severity


@dataclass(frozen=True)
class _Pain:
    title: str
    severity: int
    evidence: str
    description: str = ""
    evidence_url: str = ""
    resolved: bool = False


@dataclass(frozen=True)
class _Touchpoint:
    name: str
    channel: str  # channel code
    unit: str  # unit code of the demo organisation
    expectation: str
    service_level: str = ""
    minutes: int | None = None
    pains: tuple[_Pain, ...] = ()


@dataclass(frozen=True)
class _Stage:
    name: str
    description: str
    touchpoints: tuple[_Touchpoint, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Journey:
    name: str
    description: str
    unit: str
    stages: tuple[_Stage, ...]


FOOD_DELIVERY = _Journey(
    name="سفارش غذا از اپلیکیشن و وب‌سایت",
    description=(
        "سفر مشتری از دیدن تبلیغ تا دریافت غذا و پیگیری پس از تحویل؛ "
        "بر اساس نظرسنجی‌های CSAT، شکایات ثبت‌شده و گزارش‌های مرکز تماس."
    ),
    unit="cx",
    stages=(
        _Stage(
            "آگاهی",
            "مشتری با خدمت ما آشنا می‌شود و تصمیم می‌گیرد آن را امتحان کند.",
            (
                _Touchpoint(
                    "پیامک تبلیغاتی و کد تخفیف",
                    "sms",
                    "sales",
                    "پیشنهادی که به سلیقه و محله‌ام بخورد، نه پیامک‌های تکراری.",
                    "حداکثر دو پیامک تبلیغاتی در هفته برای هر مشتری",
                    pains=(
                        _Pain(
                            "پیامک‌های تبلیغاتی زیاد و بی‌ربط",
                            Severity.MEDIUM,
                            "۳۴۰ شکایت با برچسب «اسپم» در ماه گذشته؛ نرخ لغو دریافت پیامک ۱۲٪.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "کانال تلگرام",
                    "telegram",
                    "sales",
                    "اطلاع از رستوران‌های تازه و کدهای تخفیف معتبر.",
                    pains=(
                        _Pain(
                            "کد تخفیف منقضی در پست‌های کانال",
                            Severity.LOW,
                            "۵۸ پیام در ربات پشتیبانی دربارهٔ کدهای نامعتبر در دو هفته.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "صفحهٔ فرود وب‌سایت",
                    "web",
                    "it",
                    "صفحه سریع باز شود و هزینهٔ ارسال را از اول ببینم.",
                    "بارگذاری صفحه در موبایل زیر ۲٫۵ ثانیه",
                    pains=(
                        _Pain(
                            "کندی بارگذاری صفحه در موبایل",
                            Severity.MEDIUM,
                            "زمان بارگذاری میانه ۴٫۸ ثانیه در اینترنت همراه (گزارش پایش وب).",
                        ),
                    ),
                ),
            ),
        ),
        _Stage(
            "ثبت سفارش",
            "انتخاب رستوران و غذا و نهایی کردن سبد خرید.",
            (
                _Touchpoint(
                    "جست‌وجو و انتخاب رستوران در اپلیکیشن",
                    "app",
                    "it",
                    "رستوران‌های باز نزدیکم را سریع پیدا کنم و منو دقیق باشد.",
                    "نتایج جست‌وجو زیر ۲ ثانیه؛ منوی به‌روز",
                    pains=(
                        _Pain(
                            "رستوران بسته به‌عنوان باز نمایش داده می‌شود",
                            Severity.HIGH,
                            "۲۱۰ سفارش در هفته پس از ثبت لغو می‌شود چون رستوران بسته است.",
                        ),
                        _Pain(
                            "موجود نبودن غذا پس از ثبت سفارش",
                            Severity.MEDIUM,
                            "۸٪ سفارش‌ها با تماس رستوران برای جایگزینی غذا همراه است.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "ثبت سفارش در وب‌سایت",
                    "web",
                    "it",
                    "سبد خریدم پس از ورود به حساب از بین نرود.",
                    pains=(
                        _Pain(
                            "خالی شدن سبد خرید پس از ورود به حساب",
                            Severity.MEDIUM,
                            "۱۹ درصد از سبدهای رهاشده در وب پس از صفحهٔ ورود رها شده‌اند.",
                        ),
                    ),
                ),
            ),
        ),
        _Stage(
            "پرداخت",
            "پرداخت اینترنتی، کیف پول یا پرداخت در محل.",
            (
                _Touchpoint(
                    "درگاه پرداخت اینترنتی",
                    "app",
                    "it",
                    "پرداخت در یک مرحله و بی‌خطا؛ اگر پول کم شد، سفارش ثبت شود.",
                    "نرخ موفقیت پرداخت بالای ۹۸٪",
                    pains=(
                        _Pain(
                            "خطای درگاه پرداخت و کسر وجه بدون ثبت سفارش",
                            Severity.CRITICAL,
                            "۳٫۲٪ تراکنش‌ها در ساعات اوج ناموفق؛ ۴۸۰ تیکت «پول کم شده ولی "
                            "سفارش ثبت نشده» در ماه گذشته.",
                            description="در ساعات ۲۰ تا ۲۲ درگاه دوم فعال نمی‌شود.",
                        ),
                        _Pain(
                            "برگشت وجه تا ۷۲ ساعت طول می‌کشد",
                            Severity.HIGH,
                            "میانگین زمان برگشت وجه ۵۱ ساعت؛ ۳۰٪ تماس‌های پرداخت دربارهٔ آن است.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "پیامک تأیید پرداخت",
                    "sms",
                    "it",
                    "بلافاصله پس از پرداخت پیامک تأیید بگیرم.",
                    "ارسال پیامک کمتر از یک دقیقه پس از پرداخت",
                    1,
                    pains=(
                        _Pain(
                            "تأخیر در ارسال پیامک تأیید",
                            Severity.LOW,
                            "۴٪ پیامک‌ها بیش از ۵ دقیقه دیرتر رسیده‌اند (گزارش سامانهٔ پیامک).",
                            resolved=True,
                        ),
                    ),
                ),
            ),
        ),
        _Stage(
            "ارسال و تحویل",
            "آماده‌سازی در رستوران، ارسال با پیک و تحویل درِ خانه.",
            (
                _Touchpoint(
                    "پیگیری لحظه‌ای پیک در اپلیکیشن",
                    "app",
                    "logistics",
                    "زمان دقیق رسیدن سفارش و جای پیک را ببینم.",
                    "خطای زمان تخمینی تحویل کمتر از ۱۰ دقیقه",
                    pains=(
                        _Pain(
                            "تأخیر بیش از ۳۰ دقیقه در تحویل",
                            Severity.CRITICAL,
                            "۱۸٪ سفارش‌های پنجشنبه و جمعه شب بیش از ۳۰ دقیقه تأخیر دارند؛ "
                            "CSAT این سفارش‌ها ۲٫۱ از ۵ است.",
                        ),
                        _Pain(
                            "به‌روز نشدن موقعیت پیک روی نقشه",
                            Severity.MEDIUM,
                            "۱۲۰ نظر منفی در فروشگاه اپلیکیشن دربارهٔ نقشهٔ پیگیری در ماه گذشته.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "تماس پیک با مشتری",
                    "phone",
                    "logistics",
                    "پیک آدرس را بی‌دردسر پیدا کند و مؤدب باشد.",
                    pains=(
                        _Pain(
                            "رفتار نامناسب پیک",
                            Severity.MEDIUM,
                            "۶۵ شکایت ثبت‌شده در این فصل؛ ۴۰٪ آن‌ها دربارهٔ دو ناوگان همکار.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "پیامک تحویل و نظرسنجی",
                    "sms",
                    "cx",
                    "پس از تحویل فقط یک سؤال کوتاه بپرسید.",
                    "ارسال نظرسنجی تا ۳۰ دقیقه پس از تحویل",
                    30,
                ),
            ),
        ),
        _Stage(
            "پشتیبانی پس از فروش",
            "پیگیری مشکل سفارش، مرجوعی و شکایت.",
            (
                _Touchpoint(
                    "تماس تلفنی با مرکز تماس",
                    "phone",
                    "contact-center",
                    "در کمتر از یک دقیقه جواب بگیرم و مشکل در همان تماس حل شود.",
                    "۸۰٪ تماس‌ها در ۲۰ ثانیه پاسخ داده شوند",
                    1,
                    pains=(
                        _Pain(
                            "بی‌پاسخ ماندن تماس‌ها در ساعات اوج",
                            Severity.CRITICAL,
                            "نرخ رهاشدن تماس ۲۷٪ بین ساعت ۲۰ تا ۲۳؛ میانگین انتظار ۶ دقیقه.",
                            description="تعداد کارشناسان شیفت شب با حجم تماس هماهنگ نیست.",
                        ),
                        _Pain(
                            "چند بار انتقال تماس بین واحدها",
                            Severity.HIGH,
                            "۲۲٪ تماس‌ها بیش از یک بار منتقل می‌شوند (گزارش مرکز تماس).",
                        ),
                    ),
                ),
                _Touchpoint(
                    "پشتیبانی در تلگرام",
                    "telegram",
                    "contact-center",
                    "پاسخ انسانی و سریع، نه جواب‌های آماده.",
                    "پاسخ اول در کمتر از ۱۵ دقیقه",
                    15,
                    pains=(
                        _Pain(
                            "پاسخ‌های تکراری و کلیشه‌ای ربات",
                            Severity.MEDIUM,
                            "CSAT گفت‌وگوهای ربات ۳٫۱ از ۵ در برابر ۴٫۳ برای کارشناس.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "ثبت شکایت و مرجوعی در اپلیکیشن",
                    "app",
                    "contact-center",
                    "شکایتم پیگیری شود و نتیجه را بدانم.",
                    "پاسخ اول ظرف ۲۴ ساعت",
                    1440,
                    pains=(
                        _Pain(
                            "پیگیری نشدن شکایت مرجوعی",
                            Severity.HIGH,
                            "۳۵٪ شکایت‌های مرجوعی بیش از ۴۸ ساعت بدون پاسخ مانده‌اند.",
                        ),
                        _Pain(
                            "فرم شکایت در iOS ارسال نمی‌شد",
                            Severity.HIGH,
                            "رفع شد در نسخهٔ ۵٫۲ اپلیکیشن.",
                            resolved=True,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

TELECOM_ACTIVATION = _Journey(
    name="فعال‌سازی سیم‌کارت و بستهٔ اینترنت",
    description="از خرید سیم‌کارت تا نخستین استفاده از بستهٔ اینترنت.",
    unit="contact-center",
    stages=(
        _Stage(
            "خرید سیم‌کارت",
            "خرید حضوری یا اینترنتی و احراز هویت.",
            (
                _Touchpoint(
                    "دفتر فروش و نمایندگی",
                    "branch",
                    "sales",
                    "خرید در کمتر از ۱۰ دقیقه و بدون مدارک اضافه.",
                    "زمان انتظار در نوبت کمتر از ۱۵ دقیقه",
                    15,
                    pains=(
                        _Pain(
                            "صف طولانی در نمایندگی‌ها",
                            Severity.MEDIUM,
                            "میانگین انتظار ۳۲ دقیقه در نمایندگی‌های مرکز شهر (پایش نوبت‌دهی).",
                        ),
                    ),
                ),
            ),
        ),
        _Stage(
            "فعال‌سازی",
            "احراز هویت و فعال شدن خط.",
            (
                _Touchpoint(
                    "احراز هویت در اپلیکیشن",
                    "app",
                    "it",
                    "خط ظرف یک ساعت فعال شود.",
                    "فعال‌سازی ظرف ۶۰ دقیقه",
                    60,
                    pains=(
                        _Pain(
                            "رد شدن تصویر کارت ملی در احراز هویت",
                            Severity.HIGH,
                            "۱۴٪ درخواست‌ها در مرحلهٔ تصویر کارت ملی رد می‌شوند.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "پیامک فعال‌سازی",
                    "sms",
                    "it",
                    "پیامک فعال شدن خط همراه راهنمای تنظیمات اینترنت.",
                ),
            ),
        ),
        _Stage(
            "خرید بستهٔ اینترنت",
            "انتخاب و پرداخت بسته.",
            (
                _Touchpoint(
                    "خرید بسته در اپلیکیشن",
                    "app",
                    "sales",
                    "بسته بلافاصله پس از پرداخت فعال شود.",
                    "فعال شدن بسته کمتر از ۲ دقیقه",
                    2,
                    pains=(
                        _Pain(
                            "کسر مبلغ بدون فعال شدن بسته",
                            Severity.CRITICAL,
                            "۹۰۰ تیکت در ماه؛ ۶۰٪ تماس‌های پشتیبانی اینترنت همراه.",
                        ),
                    ),
                ),
                _Touchpoint(
                    "خرید بسته با کد دستوری USSD",
                    "other",
                    "it",
                    "فهرست بسته‌ها کوتاه و قیمت‌ها روشن باشد.",
                ),
            ),
        ),
        _Stage(
            "پشتیبانی",
            "رفع مشکل اتصال و پرسش دربارهٔ بسته.",
            (
                _Touchpoint(
                    "تماس با مرکز تماس",
                    "phone",
                    "contact-center",
                    "کارشناس مشکل اتصال را در همان تماس حل کند.",
                    "۸۰٪ تماس‌ها در ۳۰ ثانیه پاسخ داده شوند",
                    1,
                    pains=(
                        _Pain(
                            "پاسخ ندادن خط پشتیبانی در ساعات شلوغ",
                            Severity.HIGH,
                            "نرخ رهاشدن تماس ۲۱٪ در روزهای اول ماه.",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

DEMO_JOURNEYS = (FOOD_DELIVERY, TELECOM_ACTIVATION)


@transaction.atomic
def load_demo_journeys(*, units: dict[str, Unit] | None = None) -> None:
    """Create the demo journeys that do not exist yet (matched by name).

    `units` maps the demo organisation's unit codes to units; when None they are looked up
    by code, and a missing unit leaves the owner empty.
    """
    if units is None:
        units = {u.code: u for u in Unit.objects.all()}
    channels = {c.code: c for c in Channel.objects.all()}
    for spec in DEMO_JOURNEYS:
        if Journey.objects.filter(name=spec.name).exists():
            continue
        _create(spec, units, channels)


def _channel(code: str, channels: dict[str, Channel]) -> Channel:
    if code not in channels:
        kind = code if code in ChannelKind.values else ChannelKind.OTHER
        channels[code], _created = Channel.objects.get_or_create(code=code, defaults={"kind": kind})
    return channels[code]


def _create(spec: _Journey, units: dict[str, Unit], channels: dict[str, Channel]) -> None:
    journey = services.journey_create(
        name=spec.name, description=spec.description, owner_unit=units.get(spec.unit)
    )
    for stage_spec in spec.stages:
        stage = services.stage_create(
            journey=journey, name=stage_spec.name, description=stage_spec.description
        )
        for tp in stage_spec.touchpoints:
            touchpoint = services.touchpoint_create(
                stage=stage,
                name=tp.name,
                channel=_channel(tp.channel, channels),
                owner_unit=units.get(tp.unit),
                customer_expectation=tp.expectation,
                service_level=tp.service_level,
                target_response_minutes=tp.minutes,
            )
            for pain in tp.pains:
                services.pain_point_create(
                    touchpoint=touchpoint,
                    title=pain.title,
                    severity=pain.severity,
                    description=pain.description,
                    evidence=pain.evidence,
                    evidence_url=pain.evidence_url,
                    is_resolved=pain.resolved,
                )
