"""Case settings pages, mounted at /cases/settings/."""

from typing import Any

from django.urls import path

from cxm.cases import config_views as views

app_name = "cases_config"


def _catalogue(prefix: str, name: str, listing: Any, form: Any) -> list:
    """`<prefix>/` (list), `<prefix>/new/` and `<prefix>/<pk>/` (form)."""
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{prefix}"),
        path(f"{prefix}/new/", form.as_view(), name=f"{name}-create"),
        path(f"{prefix}/<int:pk>/", form.as_view(), name=f"{name}-edit"),
    ]


urlpatterns: list = [
    path("", views.SettingsIndexView.as_view(), name="index"),
    *_catalogue("types", "type", views.CaseTypeListView, views.CaseTypeFormView),
    *_catalogue("statuses", "status", views.CaseStatusListView, views.CaseStatusFormView),
    *_catalogue("topics", "topic", views.CaseTopicListView, views.CaseTopicFormView),
    *_catalogue("root-causes", "root-cause", views.RootCauseListView, views.RootCauseFormView),
    *_catalogue(
        "routing-rules", "routing-rule", views.RoutingRuleListView, views.RoutingRuleFormView
    ),
    path(
        "routing-rules/<int:pk>/move/",
        views.RoutingRuleMoveView.as_view(),
        name="routing-rule-move",
    ),
    path("teams/", views.TeamListView.as_view(), name="teams"),
    path("teams/<int:pk>/", views.TeamRoutingView.as_view(), name="team"),
    *_catalogue(
        "feedback-rules", "feedback-rule", views.FeedbackRuleListView, views.FeedbackRuleFormView
    ),
    *_catalogue("sla-policies", "sla-policy", views.SlaPolicyListView, views.SlaPolicyFormView),
    *_catalogue(
        "canned-replies", "canned-reply", views.CannedReplyListView, views.CannedReplyFormView
    ),
]
