from django.urls import path

from cxm.analytics import report_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export/", views.DashboardExportView.as_view(), name="export"),
    path("views/", views.SavedViewCreateView.as_view(), name="view-create"),
    path("views/<int:pk>/delete/", views.SavedViewDeleteView.as_view(), name="view-delete"),
    path("goals/", views.GoalListView.as_view(), name="goal-list"),
    path("goals/new/", views.GoalFormView.as_view(), name="goal-create"),
    path("goals/<int:pk>/", views.GoalFormView.as_view(), name="goal-edit"),
    path("surveys/<int:pk>/", views.SurveyResultsView.as_view(), name="survey-results"),
    path("surveys/<int:pk>/comments/", views.SurveyCommentsView.as_view(), name="survey-comments"),
    path(
        "surveys/<int:pk>/responses/", views.SurveyResponsesView.as_view(), name="survey-responses"
    ),
    path("surveys/<int:pk>/export/", views.SurveyExportView.as_view(), name="survey-export"),
    path("reports/", report_views.ReportListView.as_view(), name="report-list"),
    path("reports/new/", report_views.ReportFormView.as_view(), name="report-create"),
    path("reports/<int:pk>/", report_views.ReportFormView.as_view(), name="report-edit"),
    path(
        "reports/<int:pk>/pdf/", report_views.ReportDownloadView.as_view(), name="report-download"
    ),
    path("reports/<int:pk>/send/", report_views.ReportSendNowView.as_view(), name="report-send"),
]
