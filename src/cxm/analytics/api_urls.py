from django.urls import path

from cxm.analytics import apis

urlpatterns = [
    path("kpis/", apis.KpiApi.as_view(), name="api-kpis"),
    path("goals/", apis.GoalListCreateApi.as_view(), name="api-goal-list"),
    path("goals/<int:pk>/", apis.GoalDetailApi.as_view(), name="api-goal-detail"),
]
