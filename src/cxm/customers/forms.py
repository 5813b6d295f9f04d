from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxm.channels.models import Channel
from cxm.common.forms import CxmForm, CxmModelForm
from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.customers.models import ConsentStatus, Customer


class CustomerForm(CxmModelForm):
    attributes = forms.JSONField(label=_("Attributes"), required=False, initial=dict)

    class Meta:
        model = Customer
        fields = [
            "external_id",
            "name",
            "phone",
            "email",
            "telegram",
            "preferred_language",
            "preferred_channel",
            "lifecycle_stage",
            "club_tier",
            "club_joined_on",
            "segments",
            "attributes",
        ]
        widgets = {"segments": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("phone", "email", "external_id", "telegram"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        self.fields["phone"].help_text = _("For example 0912 345 6789 or +98 912 345 6789.")

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone") or ""
        try:
            return normalize_phone(raw)
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("“%(value)s” is not a valid phone number."), params={"value": raw}
            ) from None

    def clean_telegram(self) -> str:
        return (self.cleaned_data.get("telegram") or "").strip().lstrip("@")

    def clean_attributes(self) -> Any:
        value = self.cleaned_data.get("attributes")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Attributes must be a JSON object."))
        return value


class ConsentForm(CxmForm):
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.filter(is_active=True)
    )
    status = forms.ChoiceField(label=_("Consent"), choices=ConsentStatus.choices)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class CustomerFilterForm(CxmForm):
    q = forms.CharField(label=_("Search"), required=False)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        from cxm.customers.models import Language, LifecycleStage

        super().__init__(*args, **kwargs)
        stage_field: Any = self.fields["lifecycle_stage"]
        stage_field.choices = [("", _("All")), *LifecycleStage.choices]
        language_field: Any = self.fields["preferred_language"]
        language_field.choices = [("", _("All")), *Language.choices]
