"""Pages of the scheduled weekly reports (/dashboard/reports/): list, create/edit, download
the PDF of the last full week, send it now. All need `reports.schedule` (the recipients
are people's addresses)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from cxm.accounts.permissions import CapabilityRequiredMixin
from cxm.accounts.roles import Capability
from cxm.analytics import reports
from cxm.analytics.forms import ReportScheduleForm
from cxm.analytics.models import ReportSchedule
from cxm.analytics.tasks import send_report_now
from cxm.common.crud import CatalogueFormView
from cxm.common.i18n import format_date


class ReportListView(CapabilityRequiredMixin, ListView):
    capability = Capability.REPORTS_SCHEDULE
    template_name = "analytics/report_list.html"
    context_object_name = "schedules"

    def get_queryset(self) -> Any:
        return ReportSchedule.objects.select_related("saved_view", "survey", "channel")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {
                "schedule": s,
                "recipients": len(s.recipient_list()),
                "last_sent": format_date(s.last_sent_period),
                "preview": format_date(reports.preview_period(s)),
            }
            for s in context["schedules"]
        ]
        return context


class ReportFormView(CatalogueFormView):
    model = ReportSchedule
    form_class = ReportScheduleForm
    title = gettext_lazy("Scheduled report")
    success_url_name = "analytics:report-list"
    capability = Capability.REPORTS_SCHEDULE

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save(self, form: Any) -> Any:
        schedule = form.save(commit=False)
        if schedule.created_by_id is None:
            schedule.created_by = self.request.user
        schedule.full_clean()
        schedule.save()
        return schedule


class ReportDownloadView(CapabilityRequiredMixin, View):
    """The PDF of the last full week, as it would be sent (a preview)."""

    capability = Capability.REPORTS_SCHEDULE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        schedule = get_object_or_404(ReportSchedule.objects.select_related("saved_view"), pk=pk)
        start = reports.preview_period(schedule)
        response = HttpResponse(reports.report_pdf(schedule, start), content_type="application/pdf")
        name = reports.report_filename(schedule, start)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ReportSendNowView(CapabilityRequiredMixin, View):
    """Queue the e-mail of the last full week now (the weekly schedule is not changed)."""

    capability = Capability.REPORTS_SCHEDULE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        schedule = get_object_or_404(ReportSchedule, pk=pk)
        send_report_now.enqueue(schedule.pk, reports.preview_period(schedule).isoformat())
        messages.success(
            request,
            _("The report is being sent to %(n)s recipients.")
            % {"n": len(schedule.recipient_list())},
        )
        return HttpResponseRedirect(reverse("analytics:report-list"))
