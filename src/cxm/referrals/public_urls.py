from django.urls import path

from cxm.referrals import public_views

app_name = "referrals_public"
urlpatterns = [
    path("<str:code>/", public_views.LandingView.as_view(), name="landing"),
]
