"""Pages of referrals: the figures and referrers (every signed-in user; contact details with
`customers.view_contacts`), the invitation rules (`cases.manage` to change)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from cxm.accounts.permissions import user_can
from cxm.accounts.roles import Capability
from cxm.analytics.selectors import parse_filters
from cxm.common.crud import CatalogueFormView, CatalogueListView
from cxm.common.pagination import CappedPaginator
from cxm.referrals import selectors, services
from cxm.referrals.forms import ReferralInviteRuleForm
from cxm.referrals.models import ReferralInviteRule


class ReferralsView(LoginRequiredMixin, TemplateView):
    """Promoters invited, visits, new customers and the conversion rate of a period, the top
    referrers and every referral (paginated)."""

    template_name = "referrals/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = parse_filters(self.request.GET)
        page = CappedPaginator(selectors.referral_list(), 25).get_page(self.request.GET.get("page"))
        context.update(
            filters=filters,
            figures=selectors.referral_figures(filters.start, filters.end),
            top=selectors.top_referrers(filters.start, filters.end),
            page_obj=page,
            statuses=selectors.invite_status_counts(),
            can_see_contacts=user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
            can_manage=user_can(self.request.user, Capability.CASES_MANAGE),
            query=urlencode({"start": filters.start.isoformat(), "end": filters.end.isoformat()}),
        )
        return context


class RuleListView(CatalogueListView):
    title = gettext_lazy("Invitations to refer")
    columns = [
        ("name", gettext_lazy("Name")),
        ("is_active", gettext_lazy("Active")),
        ("survey", gettext_lazy("Survey")),
        ("review_url", gettext_lazy("Review link")),
    ]
    create_url_name = "referrals:rule-create"
    edit_url_name = "referrals:rule-edit"
    edit_capability = Capability.CASES_MANAGE

    def get_queryset(self) -> Any:
        return ReferralInviteRule.objects.select_related("survey")


class RuleFormView(CatalogueFormView):
    model = ReferralInviteRule
    form_class = ReferralInviteRuleForm
    title = gettext_lazy("Invitation to refer")
    success_url_name = "referrals:rule-list"
    capability = Capability.CASES_MANAGE

    def save(self, form: Any) -> Any:
        return services.rule_save(rule=form.save(commit=False))
