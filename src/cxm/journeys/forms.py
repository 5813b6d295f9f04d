"""Forms of the journey-map pages. They validate input; saving goes through services."""

from typing import Any

from django import forms
from django.db.models import Q

from cxm.channels.models import Channel
from cxm.common.forms import CxmModelForm
from cxm.journeys.models import Journey, PainPoint, Stage, Touchpoint


class JourneyForm(CxmModelForm):
    class Meta:
        model = Journey
        fields = ["name", "description", "owner_unit", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StageForm(CxmModelForm):
    class Meta:
        model = Stage
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TouchpointForm(CxmModelForm):
    """On edit, `stage` offers the stages of the same journey (moving a card sideways)."""

    class Meta:
        model = Touchpoint
        fields = [
            "stage",
            "name",
            "channel",
            "owner_unit",
            "customer_expectation",
            "service_level",
            "target_response_minutes",
        ]
        widgets = {
            "customer_expectation": forms.Textarea(attrs={"rows": 3}),
            # Text, not type=number: browsers refuse Persian digits in number inputs.
            "target_response_minutes": forms.TextInput(
                attrs={"inputmode": "numeric", "dir": "ltr", "class": "input"}
            ),
        }

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any):
        super().__init__(*args, **kwargs)
        stage_field: Any = self.fields["stage"]
        stage_field.queryset = Stage.objects.filter(journey=journey).order_by("position", "id")
        stage_field.empty_label = None
        channel_field: Any = self.fields["channel"]
        # Inactive channels are not offered, except the one the touchpoint already uses.
        channel_field.queryset = Channel.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.channel_id)
        )


class PainPointForm(CxmModelForm):
    evidence_url = forms.URLField(
        label=PainPoint._meta.get_field("evidence_url").verbose_name,
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr", "class": "input"}),
    )

    class Meta:
        model = PainPoint
        fields = ["title", "severity", "description", "evidence", "evidence_url", "is_resolved"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }
