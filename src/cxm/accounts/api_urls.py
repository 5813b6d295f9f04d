from django.urls import path
from rest_framework.routers import SimpleRouter

from cxm.accounts import apis

router = SimpleRouter()
router.register("units", apis.UnitViewSet)
router.register("teams", apis.TeamViewSet)
router.register("positions", apis.PositionViewSet)
router.register("users", apis.UserViewSet)

urlpatterns = [
    path("auth/token/", apis.TokenObtainApi.as_view(), name="api-token"),
    *router.urls,
]
