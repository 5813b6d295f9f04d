"""Builder pages of distribution: "Send invitations" (choose an audience and a channel,
preview how many go out and how many are blocked and why, then queue them) and the
invitation list with delivery status and blocked reasons. Reading needs sign-in; sending
needs `surveys.change`."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from cxm.accounts.permissions import CapabilityRequiredMixin
from cxm.accounts.roles import Capability
from cxm.channels.models import Channel
from cxm.common.forms import CxmForm
from cxm.common.pagination import CappedPaginator
from cxm.customers.models import LifecycleStage, Segment
from cxm.surveys import distribution
from cxm.surveys.contact_policy import reason_message
from cxm.surveys.models import DeliveryState, Invitation, Survey, SurveyStatus
from cxm.surveys.tasks import send_due_invitations


class SendInvitationsForm(CxmForm):
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Segment"), queryset=Segment.objects.all(), required=False
    )
    lifecycle_stage = forms.ChoiceField(
        label=gettext_lazy("Lifecycle stage"),
        choices=[("", "—"), *LifecycleStage.choices],
        required=False,
    )
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=gettext_lazy("Each customer's preferred channel"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["channel"]
        field.queryset = Channel.objects.filter(
            kind__in=distribution.SENDING_KINDS, is_active=True, can_send=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("segment") and not data.get("lifecycle_stage"):
            raise forms.ValidationError(_("Choose a segment or a lifecycle stage."))
        return data

    def audience(self, survey: Survey) -> distribution.Audience:
        data = self.cleaned_data
        return distribution.Audience(
            survey=survey,
            segment_id=data["segment"].pk if data.get("segment") else None,
            lifecycle_stage=data.get("lifecycle_stage") or "",
            channel=data.get("channel"),
        )


class SendInvitationsView(CapabilityRequiredMixin, View):
    """POST without `confirm`: the preview; with `confirm`: create and queue the invitations."""

    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = get_object_or_404(Survey, pk=survey_pk)
        return self._page(request, survey, SendInvitationsForm(), None)

    def post(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = get_object_or_404(Survey, pk=survey_pk)
        form = SendInvitationsForm(request.POST)
        if not form.is_valid():
            return self._page(request, survey, form, None, status=400)
        if survey.status != SurveyStatus.ACTIVE:
            messages.error(request, _("Activate the survey before sending invitations."))
            return self._page(request, survey, form, None, status=409)
        audience = form.audience(survey)
        if "confirm" not in request.POST:
            return self._page(request, survey, form, distribution.audience_preview(audience))
        created = distribution.audience_invite(audience)
        if created:
            send_due_invitations.enqueue()
        messages.success(
            request, _("%(count)s invitations queued for sending.") % {"count": created}
        )
        return HttpResponseRedirect(reverse("surveys:invitation-list", args=[survey.pk]))

    def _page(
        self,
        request: HttpRequest,
        survey: Survey,
        form: SendInvitationsForm,
        preview: distribution.Preview | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "surveys/send_invitations.html",
            {"survey": survey, "form": form, "preview": preview},
            status=status,
        )


class InvitationListView(CapabilityRequiredMixin, ListView):
    """A survey's invitations, newest first, with delivery status and why a send was blocked."""

    template_name = "surveys/invitation_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    context_object_name = "invitations"

    def get_queryset(self) -> QuerySet[Invitation]:
        self.survey = get_object_or_404(Survey, pk=self.kwargs["survey_pk"])
        qs = self.survey.invitations.select_related("customer", "channel", "response")
        status = self.request.GET.get("status", "")
        if status in DeliveryState.values:
            qs = qs.filter(distribution.invitation_status_filter(status))
        return qs.order_by("-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            survey=self.survey,
            statuses=DeliveryState.choices,
            status=self.request.GET.get("status", ""),
            rows=[
                (
                    invitation,
                    delivery_status_label(invitation),
                    reason_message(invitation.blocked_reason) or invitation.blocked_message,
                )
                for invitation in context["invitations"]
            ],
        )
        return context


def delivery_status(invitation: Invitation) -> str:
    """The status as shown: answered and opened come from the response and `opened_at`."""
    if hasattr(invitation, "response"):
        return DeliveryState.RESPONDED
    if invitation.opened_at is not None and invitation.status in (
        DeliveryState.SENT,
        DeliveryState.OPENED,
    ):
        return DeliveryState.OPENED
    return invitation.status


def delivery_status_label(invitation: Invitation) -> str:
    return str(DeliveryState(delivery_status(invitation)).label)
