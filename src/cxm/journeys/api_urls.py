from rest_framework.routers import SimpleRouter

from cxm.journeys.apis import (
    JourneyViewSet,
    PainPointViewSet,
    StageViewSet,
    TouchpointViewSet,
)

router = SimpleRouter()
router.register("journeys", JourneyViewSet, basename="journey")
router.register("stages", StageViewSet, basename="journey-stage")
router.register("touchpoints", TouchpointViewSet, basename="journey-touchpoint")
router.register("pain-points", PainPointViewSet, basename="journey-pain-point")
urlpatterns = router.urls
