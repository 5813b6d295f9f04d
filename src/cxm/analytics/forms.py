"""Forms of the dashboard: goals, saved views and scheduled reports."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxm.analytics.models import KpiGoal, ReportSchedule
from cxm.analytics.selectors import saved_views_for
from cxm.common.forms import CxmModelForm


class GoalForm(CxmModelForm):
    class Meta:
        model = KpiGoal
        fields = ["kpi", "target", "survey", "unit", "team", "deadline", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=100)
    query = forms.CharField(max_length=1000, required=False)
    shared = forms.BooleanField(required=False)


class ReportScheduleForm(CxmModelForm):
    """A scheduled weekly report; the model's clean() checks addresses, hour and zone."""

    hour = forms.IntegerField(
        label=_("Hour"),
        min_value=0,
        max_value=23,
        help_text=_("Local hour (0–23) in the report's time zone from which it is sent."),
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "recipients",
            "language",
            "weekday",
            "hour",
            "time_zone",
            "saved_view",
            "survey",
            "channel",
            "active",
        ]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3, "dir": "ltr"})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and "saved_view" in self.fields:
            field: Any = self.fields["saved_view"]
            field.queryset = saved_views_for(user)
