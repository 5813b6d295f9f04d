from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from cxm.accounts.models import DigitStyle, Position, Team, Unit, User
from cxm.common.forms import CxmModelForm
from cxm.core.phones import InvalidPhoneNumber, normalize_phone


class PreferencesForm(CxmModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Browser default")), *settings.LANGUAGES],
    )
    digits = forms.ChoiceField(label=_("Digits"), required=False, choices=DigitStyle.choices)

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "telegram",
            "notify_by",
            "language",
            "digits",
        ]

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(_("This is not a phone number.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {"email": "email", "sms": "phone", "telegram": "telegram"}
        wanted = needs.get(str(data.get("notify_by") or ""))
        if wanted and not data.get(wanted):
            self.add_error(wanted, _("Needed for the notifications you chose."))
        return data


class UnitForm(CxmModelForm):
    class Meta:
        model = Unit
        fields = ["name", "code", "parent", "description"]


class TeamForm(CxmModelForm):
    class Meta:
        model = Team
        fields = ["name", "unit", "lead"]


class PositionForm(CxmModelForm):
    class Meta:
        model = Position
        fields = ["name", "code", "unit", "default_role"]


class UserForm(CxmModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "unit",
            "team",
            "position",
            "language",
            "digits",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            required=False,
            choices=[("", _("Browser default")), *settings.LANGUAGES],
        )
        if self.instance.pk is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password, self.instance)
        return password

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
