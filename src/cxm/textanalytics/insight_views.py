"""Pages: emerging issues and key drivers (reads through cxm.textanalytics.insights)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cxm.common.i18n import is_rtl
from cxm.core import insights as core
from cxm.textanalytics import insights

WINDOWS = ((7, _("Last 7 days")), (1, _("Last day")))
METRIC_LABELS = {"nps": _("NPS (0–10)"), "csat": _("CSAT"), "ces": _("CES")}
SEGMENT_LABELS = {
    "": _("All"),
    "channel": _("Channel"),
    "language": _("Language"),
    "survey": _("Survey"),
    "source_kind": _("Source"),
}


class EmergingForm(forms.Form):
    window = forms.TypedChoiceField(
        label=_("Window"), choices=WINDOWS, coerce=int, required=False, empty_value=None
    )
    last_day = forms.DateField(label=_("Last day"), required=False)


class DriversForm(forms.Form):
    metric = forms.ChoiceField(
        label=_("Metric"), choices=list(METRIC_LABELS.items()), required=False
    )
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    segment_by = forms.ChoiceField(
        label=_("Segment by"), choices=list(SEGMENT_LABELS.items()), required=False
    )
    segment = forms.CharField(label=_("Segment"), required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data


class EmergingIssuesView(LoginRequiredMixin, TemplateView):
    """Every active topic's recent window against its own 28-day baseline."""

    template_name = "textanalytics/insights/emerging.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = EmergingForm(self.request.GET or None)
        rows: list[insights.TopicIssue] = []
        window, last_day = 7, None
        if form.is_bound and form.is_valid():
            window = form.cleaned_data["window"] or 7
            last_day = form.cleaned_data["last_day"]
        if not form.is_bound or form.is_valid():
            rows = insights.emerging_issues(last_day=last_day, recent_days=window)
        language = (get_language() or "en")[:2]
        context.update(
            form=form,
            window=window,
            baseline_days=core.BASELINE_DAYS,
            min_count=core.MIN_COUNT,
            min_ratio=core.MIN_RATIO,
            fdr=core.FDR,
            method=core.METHOD_EMERGING,
            rows=[(row, row.topic.name_for(language)) for row in rows],
            emerging=[row for row in rows if row.issue.emerging],
            alerts=insights.recent_alerts(limit=20, days=30),
        )
        return context


class KeyDriversView(LoginRequiredMixin, TemplateView):
    """Which topics move the score: difference, coefficient with its interval, impact."""

    template_name = "textanalytics/insights/drivers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DriversForm(self.request.GET or None)
        today = insights.today_utc()
        params: dict[str, Any] = {
            "metric": "nps",
            "start": today - dt.timedelta(days=insights.DEFAULT_DRIVER_DAYS - 1),
            "end": today,
            "segment_by": None,
            "segment": None,
        }
        report = None
        if form.is_bound and form.is_valid():
            for key, value in form.cleaned_data.items():
                if value:
                    params[key] = value
        if not form.is_bound or form.is_valid():
            report = insights.key_driver_report(**params)
        language = (get_language() or "en")[:2]
        drivers = []
        if report is not None:
            for d in report.result.drivers:
                topic = report.topics.get(int(str(d.key)))
                drivers.append((d, topic.name_for(language) if topic else str(d.key)))
        context.update(
            form=form,
            params=params,
            report=report,
            drivers=drivers,
            metric_label=METRIC_LABELS[params["metric"]],
            min_n=core.MIN_N,
            chart_data={
                "rtl": is_rtl(),
                "labels": {
                    "coefficient": str(_("Coefficient")),
                    "interval": str(_("%(level)s%% interval") % {"level": 95}),
                    "impact": str(_("Impact")),
                },
                "drivers": [
                    {
                        "name": name,
                        "coefficient": round(d.coefficient, 3),
                        "low": round(d.coefficient_ci_low or d.coefficient, 3),
                        "high": round(d.coefficient_ci_high or d.coefficient, 3),
                        "impact": round(d.impact or 0.0, 3),
                        "low_n": d.low_n,
                    }
                    for d, name in drivers
                    if d.coefficient is not None
                ],
            },
        )
        return context
