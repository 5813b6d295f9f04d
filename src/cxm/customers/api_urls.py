from rest_framework.routers import SimpleRouter

from cxm.customers.apis import CustomerViewSet, SegmentViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("segments", SegmentViewSet, basename="segment")
urlpatterns = router.urls
