from django.urls import path

from cxm.surveys import public_views
from cxm.surveys.optout import OptOutView

app_name = "survey_public"
urlpatterns = [
    path("optout/<str:token>/", OptOutView.as_view(), name="optout"),
    path("p/<slug:slug>/", public_views.PublicSurveyView.as_view(), name="public"),
    path("p/<slug:slug>/thanks/", public_views.thanks, name="public-thanks"),
    path("<str:token>/", public_views.InvitationSurveyView.as_view(), name="invitation"),
    path("<str:token>/thanks/", public_views.thanks, name="thanks"),
]
