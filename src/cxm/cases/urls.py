from django.urls import include, path

app_name = "cases"
urlpatterns: list = [
    path("settings/", include("cxm.cases.config_urls")),
    path("capa/", include("cxm.cases.capa_urls")),
    path("reports/", include("cxm.cases.report_urls")),
]
