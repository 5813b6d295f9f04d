import factory

from cxm.sla.models import WorkingCalendar

OFFICE_WEEK = {
    "sat": [["08:00", "16:00"]],
    "sun": [["08:00", "16:00"]],
    "mon": [["08:00", "16:00"]],
    "tue": [["08:00", "16:00"]],
    "wed": [["08:00", "16:00"]],
    "thu": [["08:00", "13:00"]],
    "fri": [],
}


class WorkingCalendarFactory(factory.django.DjangoModelFactory[WorkingCalendar]):
    class Meta:
        model = WorkingCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    timezone = "Asia/Tehran"
    week = factory.LazyFunction(lambda: {k: [list(i) for i in v] for k, v in OFFICE_WEEK.items()})
