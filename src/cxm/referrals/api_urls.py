from django.urls import path

from cxm.referrals import apis

urlpatterns = [
    path("referrals/convert/", apis.ReferralConvertApi.as_view(), name="referral-convert"),
]
