"""REST API of working calendars and their holidays. Reading is open to signed-in users;
writing needs `sla.change`. Writes go through `cxm.sla.services`."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cxm.accounts.roles import Capability
from cxm.core.business_time import Calendar, CalendarError
from cxm.sla import selectors, services
from cxm.sla.models import Holiday, WorkingCalendar

TIMESTAMPS = ["created_at", "updated_at"]


class CalendarSerializer(serializers.ModelSerializer):
    holiday_count = serializers.IntegerField(read_only=True)
    week = serializers.JSONField(
        help_text=_('Per weekday (sat … fri) local intervals: {"sat": [["08:00", "16:00"]]}.')
    )

    class Meta:
        model = WorkingCalendar
        fields = ["id", "name", "timezone", "week", "is_active", "holiday_count", *TIMESTAMPS]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        timezone = attrs.get("timezone", getattr(self.instance, "timezone", None))
        week = attrs.get("week", getattr(self.instance, "week", None))
        try:
            core = Calendar.from_dict({"timezone": timezone, "week": week})
        except CalendarError as exc:
            raise serializers.ValidationError({"week": str(exc)}) from None
        if "week" in attrs:
            attrs["week"] = core.to_dict()["week"]
        return attrs


class HolidaySerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Holiday
        fields = ["id", "calendar", "date", "name", "source", "source_label", *TIMESTAMPS]
        read_only_fields = ["source"]
        validators: list[Any] = []  # the service answers duplicates with a clear message

    def validate_calendar(self, calendar: WorkingCalendar) -> WorkingCalendar:
        if self.instance is not None and calendar.pk != self.instance.calendar_id:
            raise serializers.ValidationError(_("A holiday cannot move to another calendar."))
        return calendar


class LoadHolidaysSerializer(serializers.Serializer):
    country = serializers.ChoiceField(choices=["IR", "HU"])
    years = serializers.ListField(
        child=serializers.IntegerField(min_value=1950, max_value=2100),
        min_length=1,
        max_length=10,
        help_text=_("Gregorian years."),
    )


class CalendarViewSet(viewsets.ModelViewSet):
    """Working calendars; `export` returns the JSON format the `sla-*` commands read."""

    write_capability = Capability.SLA_CHANGE
    serializer_class = CalendarSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self) -> Any:
        return selectors.calendar_list()

    def perform_create(self, serializer: Any) -> None:
        calendar = services.calendar_create(**serializer.validated_data)
        serializer.instance = selectors.calendar_list().get(pk=calendar.pk)

    def perform_update(self, serializer: Any) -> None:
        calendar = services.calendar_update(
            calendar=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = selectors.calendar_list().get(pk=calendar.pk)

    def perform_destroy(self, instance: WorkingCalendar) -> None:
        services.calendar_delete(calendar=instance)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """`{"timezone": …, "week": {"sat": [["08:00","16:00"]], …}, "holidays": [dates]}`."""
        return Response(self.get_object().export_dict())

    @extend_schema(request=LoadHolidaysSerializer, responses=HolidaySerializer(many=True))
    @action(detail=True, methods=["post"], url_path="load-holidays")
    def load_holidays(self, request: Request, pk: str | None = None) -> Response:
        """Add a country's official holidays of the given years (existing dates are kept)."""
        calendar = self.get_object()
        data = LoadHolidaysSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.holidays_load(calendar=calendar, **data.validated_data)
        return Response(HolidaySerializer(added, many=True).data, status=status.HTTP_201_CREATED)


class HolidayViewSet(viewsets.ModelViewSet):
    """Holidays of working calendars, by date; filter with `?calendar=ID`."""

    queryset = Holiday.objects.order_by("calendar_id", "date")
    serializer_class = HolidaySerializer
    write_capability = Capability.SLA_CHANGE
    filterset_fields = {"calendar": ["exact"], "date": ["exact", "gte", "lte"]}
    ordering_fields = ["date", "name"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.holiday_add(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.holiday_update(
            holiday=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Holiday) -> None:
        services.holiday_delete(holiday=instance)
