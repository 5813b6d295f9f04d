"""Case reports, mounted at /cases/reports/."""

from django.urls import path

from cxm.cases import report_views as views

app_name = "cases_reports"
urlpatterns = [
    path("", views.CaseReportView.as_view(), name="index"),
]
