"""Case reports at /cases/reports/ (every signed-in user): SLA achievement, response and
resolution times, backlog age, reopen rate, breakdowns by channel / type / team / agent,
contact volume per channel and week, and the complaints-handling report. Every table exports
to CSV (`?export=csv&table=<key>`) or, all together, to XLSX (`?export=xlsx`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from cxm.accounts.models import Team, User
from cxm.accounts.permissions import CapabilityRequiredMixin
from cxm.cases import reports
from cxm.cases.models import CaseType
from cxm.channels.models import Channel
from cxm.common.forms import CxmForm, LocalizedDateField
from cxm.common.i18n import format_date, format_number, is_rtl
from cxm.imports.exports import csv_response, workbook_response

MAX_DAYS = 731


class ReportFilterForm(CxmForm):
    start = LocalizedDateField(label=gettext_lazy("From"), required=False)
    end = LocalizedDateField(label=gettext_lazy("To"), required=False)
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"), queryset=Channel.objects.all(), required=False
    )
    case_type = forms.ModelChoiceField(
        label=gettext_lazy("Type"), queryset=CaseType.objects.all(), required=False
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.order_by("name"), required=False
    )
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Agent"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["case_type"].label_from_instance = lambda t: t.name
        fields["agent"].label_from_instance = lambda u: u.display_name
        for name in ("channel", "case_type", "team", "agent"):
            fields[name].empty_label = _("All")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("The period is at most two years."))
        return data


def filters_from(form: ReportFilterForm, today: dt.date | None = None) -> reports.ReportFilters:
    """The filters of a validated form (the last 30 days when no period is given)."""
    data = form.cleaned_data if form.is_valid() else {}
    start, end = reports.default_period(today)
    end = data.get("end") or end
    start = data.get("start") or (end - dt.timedelta(days=29))
    return reports.ReportFilters(
        start=start,
        end=end,
        channel=data.get("channel"),
        case_type=data.get("case_type"),
        team=data.get("team"),
        agent=data.get("agent"),
    )


@dataclass
class Table:
    """One table of the page and of the exports: raw values, formatted for the page."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]

    def display_rows(self) -> list[list[str]]:
        return [[_display(v) for v in row] for row in self.rows]


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_number(value, 1)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def _r(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None


def _breakdown_table(
    key: str, title: str, column: str, rows: Sequence[reports.BreakdownRow]
) -> Table:
    return Table(
        key=key,
        title=title,
        header=[
            column,
            _("Opened"),
            _("Resolved"),
            _("SLA achieved %"),
            _("First response, median (business min)"),
            _("Resolution, median (business min)"),
            _("Resolution, p90 (business min)"),
            _("Reopen rate %"),
            _("Backlog"),
        ],
        rows=[
            [
                r.label,
                r.opened,
                r.resolved,
                r.sla_pct,
                _r(r.frt_median),
                _r(r.resolution_median),
                _r(r.resolution_p90),
                r.reopen_pct,
                r.backlog,
            ]
            for r in rows
        ],
    )


def _complaint_table(
    key: str, title: str, column: str, rows: Sequence[reports.ComplaintRow]
) -> Table:
    return Table(
        key=key,
        title=title,
        header=[
            column,
            _("Received"),
            _("Acknowledged within target"),
            _("Resolved"),
            _("Resolved within target"),
            _("Resolved within target %"),
            _("Rated"),
            _("Average rating (1–5)"),
        ],
        rows=[
            [
                r.label,
                r.received,
                r.acknowledged_in_target,
                r.resolved,
                r.resolved_in_target,
                r.resolved_in_target_pct,
                r.rated,
                _r(r.rating_avg, 2),
            ]
            for r in rows
        ],
    )


def build_tables(filters: reports.ReportFilters) -> dict[str, Any]:
    """Every figure of the page, and the tables (in page order) for display and export."""
    summary = reports.summary(filters)
    complaints = reports.complaints_report(filters)
    volume = reports.contact_volume(filters)
    titles = {
        "channel": (_("By channel"), _("Channel")),
        "type": (_("By type"), _("Type")),
        "team": (_("By team"), _("Team")),
        "agent": (_("By agent"), _("Agent")),
    }
    backlog_labels = {
        "lt_1d": _("Less than 1 day"),
        "1_3d": _("1–3 days"),
        "3_7d": _("3–7 days"),
        "gt_7d": _("More than 7 days"),
    }
    tables = [
        Table(
            key="summary",
            title=_("Summary"),
            header=[_("Figure"), _("Value")],
            rows=[
                [_("Cases opened"), summary.opened],
                [_("Cases resolved"), summary.resolved],
                [_("SLA achieved % (resolved cases with a service level)"), summary.sla_pct],
                [_("First response within target %"), summary.response_pct],
                [_("First response, median (business min)"), _r(summary.frt_median)],
                [_("First response, p90 (business min)"), _r(summary.frt_p90)],
                [_("Resolution, median (business min)"), _r(summary.resolution_median)],
                [_("Resolution, p90 (business min)"), _r(summary.resolution_p90)],
                [_("Reopen rate %"), summary.reopen_pct],
                [_("Average resolution rating (1–5)"), _r(summary.rating_avg, 2)],
                [_("Backlog (active cases now)"), summary.backlog_total],
            ],
        ),
        Table(
            key="backlog",
            title=_("Backlog by age"),
            header=[_("Age"), _("Active cases")],
            rows=[[backlog_labels[k], n] for k, n in summary.backlog.items()],
        ),
        *[
            _breakdown_table(f"by_{d}", *titles[d], reports.breakdown(filters, d))
            for d in reports.DIMENSIONS
        ],
        Table(
            key="volume",
            title=_("Contact volume per channel and week"),
            header=[_("Week of"), *volume.series.keys()],
            rows=[[week, *counts] for week, counts in volume.rows],
        ),
        Table(
            key="complaints",
            title=_("Complaints handling"),
            header=[_("Figure"), _("Value")],
            rows=[
                [_("Complaints received"), complaints.received],
                [_("Acknowledged"), complaints.acknowledged],
                [_("Acknowledged within target"), complaints.acknowledged_in_target],
                [_("Acknowledged within target %"), complaints.acknowledged_in_target_pct],
                [_("Resolved"), complaints.resolved],
                [_("Resolved %"), complaints.resolved_pct],
                [_("Resolved within target"), complaints.resolved_in_target],
                [_("Resolved within target %"), complaints.resolved_in_target_pct],
                [_("Still open"), complaints.still_open],
                [_("Rated by the customer"), complaints.rated],
                [_("Average rating of the resolution (1–5)"), _r(complaints.rating_avg, 2)],
                [_("Open CAPAs"), len(complaints.open_capas)],
            ],
        ),
        _complaint_table(
            "complaints_by_topic", _("Complaints by topic"), _("Topic"), complaints.by_topic
        ),
        _complaint_table(
            "complaints_by_root_cause",
            _("Complaints by root cause"),
            _("Root cause"),
            complaints.by_root_cause,
        ),
        Table(
            key="open_capas",
            title=_("Open CAPAs"),
            header=[_("CAPA"), _("Status"), _("Topic"), _("Owner"), _("Due date"), _("Cases")],
            rows=[
                [
                    c.title,
                    c.get_status_display(),
                    c.topic.name if c.topic else "",
                    c.owner.display_name if c.owner else "",
                    c.due_on,
                    getattr(c, "case_count", 0),
                ]
                for c in complaints.open_capas
            ],
        ),
    ]
    today = timezone.localdate()
    return {
        "summary": summary,
        "complaints": complaints,
        "volume": volume,
        "tables": tables,
        "overdue_capas": [c for c in complaints.open_capas if c.due_on and c.due_on < today],
        "chart_data": {
            "rtl": is_rtl(),
            "volume": {
                "categories": [format_date(w) for w in volume.weeks],
                "series": volume.series,
            },
            "backlog": {
                "categories": [backlog_labels[k] for k in summary.backlog],
                "values": list(summary.backlog.values()),
            },
        },
    }


def _export_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class CaseReportView(CapabilityRequiredMixin, TemplateView):
    template_name = "cases/reports/index.html"

    def get(  # type: ignore[override]  # an export is a file response
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        form = ReportFilterForm(request.GET or None)
        filters = filters_from(form)
        figures = build_tables(filters)
        export = request.GET.get("export", "")
        if export in ("csv", "xlsx"):
            return self.export(export, request.GET.get("table", ""), filters, figures["tables"])
        context = self.get_context_data(form=form, filters=filters, **figures)
        return self.render_to_response(context)

    @staticmethod
    def export(
        fmt: str, key: str, filters: reports.ReportFilters, tables: list[Table]
    ) -> HttpResponseBase:
        stem = f"case-report-{filters.start.isoformat()}-{filters.end.isoformat()}"
        if fmt == "xlsx":
            return workbook_response(
                filename=f"{stem}.xlsx",
                sheets=[
                    (t.title, t.header, ([_export_value(v) for v in row] for row in t.rows))
                    for t in tables
                ],
            )
        chosen = next((t for t in tables if t.key == key), None)
        if chosen is None:
            return HttpResponse(_("Unknown table."), status=400, content_type="text/plain")
        return csv_response(
            filename=f"{stem}-{chosen.key}.csv",
            header=chosen.header,
            rows=([_export_value(v) for v in row] for row in chosen.rows),
        )
