"""Forms of the agent's case pages: the list's filters, the actions on a case (reply, note,
status, assignment, fields, merge) and a new case by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cxm.accounts.models import Team, User
from cxm.accounts.roles import ROLE_CAPABILITIES, Capability
from cxm.cases import selectors
from cxm.cases.models import (
    Capa,
    Case,
    CaseStatus,
    CaseTopic,
    CaseType,
    Priority,
    RootCause,
    StatusCategory,
)
from cxm.channels.models import Channel
from cxm.common.forms import CxmForm
from cxm.customers.models import Customer


def case_workers() -> QuerySet[User]:
    """Active users whose role may work on cases (the people a case can be assigned to)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.CASES_WORK in caps]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=roles) | Q(is_superuser=True))
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class CaseFilterForm(CxmForm):
    STATUS_CHOICES = [
        (selectors.STATUS_ACTIVE, _("Active (open and waiting)")),
        (selectors.STATUS_ALL, _("All")),
        *StatusCategory.choices,
    ]
    SLA_CHOICES = [
        ("", _("Any")),
        (selectors.SLA_BREACHED, _("Breached or overdue")),
        (selectors.SLA_DUE_SOON, _("Due soon")),
        (selectors.SLA_PAUSED, _("Paused")),
        (selectors.SLA_ON_TRACK, _("On track")),
    ]
    SORT_CHOICES = [
        (selectors.SORT_NEWEST, _("Newest first")),
        (selectors.SORT_OLDEST, _("Oldest first")),
        (selectors.SORT_RESPONSE_DUE, _("First response due (awaiting a first response)")),
        (selectors.SORT_RESOLUTION_DUE, _("Resolution due (clock running)")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Case number, subject, or the customer's name, phone or e-mail."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    mine = forms.BooleanField(label=_("My cases"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    assignee = UserChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    type = forms.ModelChoiceField(label=_("Type"), queryset=CaseType.objects.none(), required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=CaseTopic.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    sla = forms.ChoiceField(label=_("SLA"), choices=SLA_CHOICES, required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["team"].queryset = Team.objects.all()
        fields["assignee"].queryset = case_workers()
        fields["type"].queryset = CaseType.objects.all()
        fields["topic"].queryset = CaseTopic.objects.all()
        fields["channel"].queryset = Channel.objects.all()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the size and type rules are `attachments_check`'s."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class ReplyForm(CxmForm):
    THEN_CHOICES = [
        ("", _("Send")),
        (StatusCategory.WAITING_CUSTOMER.value, _("Send and wait on the customer")),
        (StatusCategory.RESOLVED.value, _("Send and resolve")),
    ]

    body = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"))
    then = forms.ChoiceField(choices=THEN_CHOICES, required=False)


class NoteForm(CxmForm):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Only your colleagues see it. Mention someone with @username."),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class StatusForm(CxmForm):
    status = forms.ModelChoiceField(label=_("Status"), queryset=CaseStatus.objects.none())

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = CaseStatus.objects.all()  # type: ignore[attr-defined]


class AssignForm(CxmForm):
    to_me = forms.BooleanField(required=False, widget=forms.HiddenInput)
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (team queue)"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Keep the team"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["assignee"].queryset = case_workers()
        fields["team"].queryset = Team.objects.all()


class CaseNumberField(forms.CharField):
    """A case typed as `#123`, `123` or `۱۲۳`; cleans to the Case."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"dir": "ltr", "inputmode": "numeric", "placeholder": "#123"})

    def clean(self, value: Any) -> Case | None:
        text = super().clean(value)
        if not text:
            return None
        number = selectors.case_reference_id(text)
        case = Case.objects.filter(pk=number).first() if number is not None else None
        if case is None:
            raise forms.ValidationError(
                _("There is no case %(ref)s."), params={"ref": text}, code="unknown_case"
            )
        return case


class CaseEditForm(CxmForm):
    """Priority, type, topic, root cause, parent problem and CAPA (case_update)."""

    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    type = forms.ModelChoiceField(label=_("Type"), queryset=CaseType.objects.none())
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=CaseTopic.objects.none(), required=False
    )
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.none(), required=False
    )
    parent = CaseNumberField(label=_("Parent problem (case number)"), required=False)
    capa = forms.ModelChoiceField(label=_("CAPA"), queryset=Capa.objects.none(), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any):
        if not kwargs.get("data"):
            kwargs.setdefault(
                "initial",
                {
                    "priority": case.priority,
                    "type": case.type_id,
                    "topic": case.topic_id,
                    "root_cause": case.root_cause_id,
                    "parent": f"#{case.parent_id}" if case.parent_id else "",
                    "capa": case.capa_id,
                },
            )
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["type"].queryset = CaseType.objects.filter(Q(is_active=True) | Q(pk=case.type_id))
        fields["topic"].queryset = CaseTopic.objects.filter(Q(is_active=True) | Q(pk=case.topic_id))
        fields["root_cause"].queryset = RootCause.objects.filter(
            Q(is_active=True) | Q(pk=case.root_cause_id)
        )
        fields["capa"].queryset = Capa.objects.all()
        self.case = case

    def changes(self) -> dict[str, Any]:
        """Only the fields whose value differs from the case's."""
        data = self.cleaned_data
        changed = {}
        for name in ("priority", "type", "topic", "root_cause", "parent", "capa"):
            if data.get(name) != getattr(self.case, name):
                changed[name] = data.get(name)
        return changed


class MergeForm(CxmForm):
    target = CaseNumberField(
        label=_("Merge into case"),
        help_text=_("This case is closed and its messages move to the case you name."),
    )


class CaseCreateForm(CxmForm):
    customer = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        help_text=_("The customer's number; search for it above."),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    type = forms.ModelChoiceField(label=_("Type"), queryset=CaseType.objects.none())
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=CaseTopic.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("The type's default")), *Priority.choices],
        required=False,
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Decided by the routing rules"),
    )
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Assigned by the team's rules"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["channel"].queryset = Channel.objects.filter(is_active=True)
        fields["type"].queryset = CaseType.objects.filter(is_active=True)
        fields["topic"].queryset = CaseTopic.objects.filter(is_active=True)
        fields["team"].queryset = Team.objects.all()
        fields["assignee"].queryset = case_workers()
        fields["customer"].widget.attrs.update({"dir": "ltr"})

    def clean_customer(self) -> Customer | None:
        pk = self.cleaned_data.get("customer")
        if pk is None:
            return None
        customer = Customer.objects.filter(pk=pk).first()
        if customer is None:
            raise forms.ValidationError(_("There is no customer with this number."))
        return customer


class NotificationReadForm(CxmForm):
    notification = forms.IntegerField(required=False, widget=forms.HiddenInput)
