from django.urls import include, path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns = [*router.urls, path("", include("cxm.cases.config_api_urls"))]
