import pytest

from cxm.accounts.models import Unit
from cxm.journeys.demo import load_demo_journeys
from cxm.journeys.models import Journey, PainPoint, Severity, Stage, Touchpoint

pytestmark = pytest.mark.django_db


def test_demo_journeys_are_created_once_with_units_and_channels():
    units = {
        code: Unit.objects.create(code=code, name=code)
        for code in ["cx", "contact-center", "qa", "sales", "logistics", "it"]
    }
    load_demo_journeys(units=units)
    counts = (
        Journey.objects.count(),
        Stage.objects.count(),
        Touchpoint.objects.count(),
        PainPoint.objects.count(),
    )
    load_demo_journeys(units=units)
    load_demo_journeys()
    assert (
        Journey.objects.count(),
        Stage.objects.count(),
        Touchpoint.objects.count(),
        PainPoint.objects.count(),
    ) == counts
    assert counts[0] == 2

    food = Journey.objects.get(name__startswith="سفارش غذا")
    assert food.owner_unit == units["cx"]
    assert [s.name for s in food.stages.order_by("position")] == [
        "آگاهی",
        "ثبت سفارش",
        "پرداخت",
        "ارسال و تحویل",
        "پشتیبانی پس از فروش",
    ]
    codes = set(
        Touchpoint.objects.filter(stage__journey=food).values_list("channel__code", flat=True)
    )
    assert {"app", "web", "sms", "telegram", "phone"} <= codes
    assert (
        PainPoint.objects.filter(
            touchpoint__stage__journey=food, severity=Severity.CRITICAL
        ).count()
        >= 2
    )
    assert not Touchpoint.objects.filter(owner_unit__isnull=True).exists()
    assert all(p.evidence for p in PainPoint.objects.all())


def test_demo_works_without_units():
    load_demo_journeys()
    assert Journey.objects.count() == 2
    assert Journey.objects.filter(owner_unit__isnull=True).count() == 2
