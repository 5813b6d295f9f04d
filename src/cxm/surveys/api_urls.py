from django.urls import path
from rest_framework.routers import SimpleRouter

from cxm.surveys.apis import ResponseViewSet, SurveyEventApi, SurveyViewSet
from cxm.surveys.distribution_apis import InvitationViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("responses", ResponseViewSet, basename="survey-response")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
urlpatterns = [
    path("survey-events/", SurveyEventApi.as_view(), name="survey-events"),
    *router.urls,
]
