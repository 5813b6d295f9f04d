"""Working-calendar pages: list, detail (week and holidays), create/edit, holidays (add,
delete, load official ones, import .ics) and JSON import/export. Everybody signed in reads;
changes need `sla.change`."""

import json
from abc import ABCMeta, abstractmethod
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator
from cxm.core.business_time import WEEKDAYS
from cxm.sla import selectors, services
from cxm.sla.forms import (
    WEEKDAY_LABELS,
    CalendarForm,
    CalendarImportForm,
    HolidayForm,
    LoadHolidaysForm,
    UploadForm,
    day_text,
)
from cxm.sla.models import Holiday, WorkingCalendar


def detail_url(calendar: WorkingCalendar, anchor: str = "") -> str:
    url = reverse("sla:detail", args=[calendar.pk])
    return f"{url}#{anchor}" if anchor else url


class CalendarListView(CapabilityRequiredMixin, ListView):
    template_name = "sla/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    context_object_name = "calendars"

    def get_queryset(self) -> Any:
        return selectors.calendar_list()


class CalendarDetailView(CapabilityRequiredMixin, TemplateView):
    """The week, the holidays and (for editors) the forms that change them."""

    template_name = "sla/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        calendar = get_object_or_404(WorkingCalendar, pk=kwargs["pk"])
        context.update(
            calendar=calendar,
            week=[(WEEKDAY_LABELS[day], day_text(calendar.week.get(day, []))) for day in WEEKDAYS],
            holidays=selectors.calendar_holidays(calendar=calendar),
            can_edit=user_can(self.request.user, Capability.SLA_CHANGE),
            holiday_form=HolidayForm(),
            load_form=LoadHolidaysForm(),
            ics_form=UploadForm(),
        )
        return context


class CalendarFormView(CapabilityRequiredMixin, FormView):
    """Create (no pk) or edit (pk) a calendar, or delete it."""

    template_name = "sla/form.html"
    form_class = CalendarForm
    capability = Capability.SLA_CHANGE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.object: WorkingCalendar | None = None
        if "pk" in kwargs:
            self.object = get_object_or_404(WorkingCalendar, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        if self.object is not None:
            return CalendarForm.initial_for(self.object)
        return {
            "timezone": "Asia/Tehran",
            **{day: "08:00-16:00" for day in ("sat", "sun", "mon", "tue", "wed")},
            "thu": "08:00-13:00",
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.object.name if self.object else _("New working calendar"),
            object=self.object,
            can_delete=self.object is not None,
            back_url=detail_url(self.object) if self.object else reverse("sla:list"),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "delete" in request.POST and self.object is not None:
            try:
                services.calendar_delete(calendar=self.object)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(detail_url(self.object))
            messages.success(request, _("Deleted."))
            return HttpResponseRedirect(reverse("sla:list"))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        data = {field: form.cleaned_data[field] for field in services.CALENDAR_FIELDS}
        try:
            if self.object is None:
                calendar = services.calendar_create(**data)
            else:
                calendar = services.calendar_update(calendar=self.object, data=data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(detail_url(calendar))


class _CalendarAction(CapabilityRequiredMixin, View, metaclass=ABCMeta):
    """POST on one calendar by an editor; errors come back as messages on the detail page."""

    capability = Capability.SLA_CHANGE
    http_method_names = ["post"]
    anchor = "holidays"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        calendar = get_object_or_404(WorkingCalendar, pk=pk)
        try:
            self.act(request, calendar)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(detail_url(calendar, self.anchor))

    @abstractmethod
    def act(self, request: HttpRequest, calendar: WorkingCalendar) -> None:
        """What the action does to the calendar (raises ApplicationError to refuse)."""

    @staticmethod
    def form_errors(request: HttpRequest, form: Any) -> None:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)


class HolidayAddView(_CalendarAction):
    def act(self, request: HttpRequest, calendar: WorkingCalendar) -> None:
        form = HolidayForm(request.POST)
        if not form.is_valid():
            self.form_errors(request, form)
            return
        services.holiday_add(calendar=calendar, **form.cleaned_data)
        messages.success(request, _("Holiday added."))


class HolidayDeleteView(CapabilityRequiredMixin, View):
    capability = Capability.SLA_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        holiday = get_object_or_404(Holiday.objects.select_related("calendar"), pk=pk)
        services.holiday_delete(holiday=holiday)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(detail_url(holiday.calendar, "holidays"))


class HolidaysLoadView(_CalendarAction):
    def act(self, request: HttpRequest, calendar: WorkingCalendar) -> None:
        form = LoadHolidaysForm(request.POST)
        if not form.is_valid():
            self.form_errors(request, form)
            return
        years, between = form.span()
        added = services.holidays_load(
            calendar=calendar, country=form.cleaned_data["country"], years=years, between=between
        )
        messages.success(request, _("%(count)s holidays added.") % {"count": len(added)})


class HolidaysIcsView(_CalendarAction):
    def act(self, request: HttpRequest, calendar: WorkingCalendar) -> None:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            self.form_errors(request, form)
            return
        result = services.holidays_import_ics(calendar=calendar, stream=form.cleaned_data["file"])
        text = _("%(added)s holidays added from %(days)s all-day dates in the file.") % {
            "added": len(result.added),
            "days": result.days,
        }
        if result.skipped_timed:
            text += " " + _("%(count)s events with a time of day were skipped.") % {
                "count": result.skipped_timed
            }
        messages.success(request, text)


class CalendarExportView(CapabilityRequiredMixin, View):
    """The calendar as a JSON file in the product's format."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        calendar = get_object_or_404(WorkingCalendar, pk=pk)
        body = json.dumps(calendar.export_dict(), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="calendar-{calendar.pk}.json"'
        return response


class CalendarImportView(CapabilityRequiredMixin, FormView):
    """Upload a calendar JSON file: a new calendar, or (`pk`) replace one's week and holidays."""

    template_name = "sla/import.html"
    capability = Capability.SLA_CHANGE
    title = gettext_lazy("Import a calendar (JSON)")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.object: WorkingCalendar | None = None
        if "pk" in kwargs:
            self.object = get_object_or_404(WorkingCalendar, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return UploadForm if self.object else CalendarImportForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            object=self.object,
            back_url=detail_url(self.object) if self.object else reverse("sla:list"),
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            core = services.parse_calendar_json(form.cleaned_data["file"])
            calendar = services.calendar_import(
                core=core, name=form.cleaned_data.get("name", ""), calendar=self.object
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Calendar imported."))
        return HttpResponseRedirect(detail_url(calendar))
