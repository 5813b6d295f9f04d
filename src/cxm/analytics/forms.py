"""Forms of the dashboard: goals and saved views."""

from django import forms

from cxm.analytics.models import KpiGoal
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
