from django import forms
from django.utils.translation import gettext_lazy as _

from cxm.common.forms import CxmModelForm
from cxm.referrals.models import ReferralInviteRule


class ReferralInviteRuleForm(CxmModelForm):
    review_url = forms.URLField(
        label=_("review link"),
        required=False,
        assume_scheme="https",
        help_text=_("Optional: a page where customers leave a review (maps, app store …)."),
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )

    class Meta:
        model = ReferralInviteRule
        fields = ["name", "is_active", "position", "survey", "review_url"]
