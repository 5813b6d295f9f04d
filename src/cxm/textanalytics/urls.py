from django.urls import include, path

app_name = "textanalytics"
urlpatterns: list = [
    path("insights/", include("cxm.textanalytics.insight_urls")),
]
