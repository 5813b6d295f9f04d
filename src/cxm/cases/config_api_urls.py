"""/api/v1/ endpoints of the case configuration (see cxm.cases.config_apis)."""

from rest_framework.routers import SimpleRouter

from cxm.cases import config_apis as apis

router = SimpleRouter()
router.register("case-types", apis.CaseTypeViewSet, basename="case-type")
router.register("case-statuses", apis.CaseStatusViewSet, basename="case-status")
router.register("case-topics", apis.CaseTopicViewSet, basename="case-topic")
router.register("root-causes", apis.RootCauseViewSet, basename="root-cause")
router.register("sla-policies", apis.SlaPolicyViewSet, basename="sla-policy")
router.register("routing-rules", apis.RoutingRuleViewSet, basename="routing-rule")
router.register("feedback-rules", apis.FeedbackRuleViewSet, basename="feedback-rule")
router.register("canned-replies", apis.CannedReplyViewSet, basename="canned-reply")
urlpatterns = router.urls
