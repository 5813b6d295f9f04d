from django.urls import path

from cxm.textanalytics import insight_views

urlpatterns = [
    path("emerging/", insight_views.EmergingIssuesView.as_view(), name="insights-emerging"),
    path("drivers/", insight_views.KeyDriversView.as_view(), name="insights-drivers"),
]
