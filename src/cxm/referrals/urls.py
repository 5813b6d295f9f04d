from django.urls import path

from cxm.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.ReferralsView.as_view(), name="index"),
    path("rules/", views.RuleListView.as_view(), name="rule-list"),
    path("rules/new/", views.RuleFormView.as_view(), name="rule-create"),
    path("rules/<int:pk>/", views.RuleFormView.as_view(), name="rule-edit"),
]
