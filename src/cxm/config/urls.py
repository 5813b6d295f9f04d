from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from cxm.common.views import healthz

api_v1 = [
    path("", include("cxm.accounts.api_urls")),
    path("", include("cxm.channels.api_urls")),
    path("", include("cxm.customers.api_urls")),
    path("", include("cxm.journeys.api_urls")),
    path("", include("cxm.imports.api_urls")),
    path("", include("cxm.surveys.api_urls")),
    path("", include("cxm.analytics.api_urls")),
    path("", include("cxm.sla.api_urls")),
    path("", include("cxm.cases.api_urls")),
    path("", include("cxm.textanalytics.api_urls")),
    path("", include("cxm.referrals.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("", include("cxm.accounts.urls")),
    path("customers/", include("cxm.customers.urls")),
    path("channels/", include("cxm.channels.urls")),
    path("journeys/", include("cxm.journeys.urls")),
    path("imports/", include("cxm.imports.urls")),
    path("surveys/", include("cxm.surveys.urls")),
    path("dashboard/", include("cxm.analytics.urls")),
    path("sla/", include("cxm.sla.urls")),
    path("cases/", include("cxm.cases.urls")),
    path("portal/", include("cxm.cases.portal_urls")),
    path("referrals/", include("cxm.referrals.urls")),
    path("text/", include("cxm.textanalytics.urls")),
    path("r/", include("cxm.referrals.public_urls")),
    path("s/", include("cxm.surveys.public_urls")),
    path("integrations/telegram/", include("cxm.integrations.telegram.urls")),
    path("integrations/email/", include("cxm.integrations.email.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
