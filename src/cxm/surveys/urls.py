from django.urls import path

from cxm.surveys import distribution_views, views

app_name = "surveys"
urlpatterns = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("new/", views.SurveyCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SurveyDetailView.as_view(), name="detail"),
    path("<int:survey_pk>/edit/", views.SurveyEditView.as_view(), name="edit"),
    path("<int:survey_pk>/status/", views.SurveyStatusView.as_view(), name="status"),
    path("<int:survey_pk>/invitations/", views.InvitationCreateView.as_view(), name="invite"),
    path(
        "<int:survey_pk>/questions/new/", views.QuestionFormView.as_view(), name="question-create"
    ),
    path("questions/<int:pk>/", views.QuestionFormView.as_view(), name="question-edit"),
    path("questions/<int:pk>/move/", views.QuestionMoveView.as_view(), name="question-move"),
    path(
        "<int:survey_pk>/followups/", views.FollowUpRuleCreateView.as_view(), name="followup-create"
    ),
    path(
        "followups/<int:pk>/delete/", views.FollowUpRuleDeleteView.as_view(), name="followup-delete"
    ),
]

# Distribution: the send form and the invitation list with delivery status.
urlpatterns += [
    path("<int:survey_pk>/send/", distribution_views.SendInvitationsView.as_view(), name="send"),
    path(
        "<int:survey_pk>/invitations/list/",
        distribution_views.InvitationListView.as_view(),
        name="invitation-list",
    ),
]
