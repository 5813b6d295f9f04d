from django.urls import path

from cxm.analytics import views

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
]
