from rest_framework.routers import SimpleRouter

from cxm.customers.apis import CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
urlpatterns = router.urls
