from django.urls import include, path

from cxm.cases import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:pk>/reply/", apis.CaseReplyApi.as_view(), name="case-reply"),
    path("cases/<int:pk>/note/", apis.CaseNoteApi.as_view(), name="case-note"),
    path("cases/<int:pk>/status/", apis.CaseStatusApi.as_view(), name="case-status"),
    path("cases/<int:pk>/assign/", apis.CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<int:pk>/merge/", apis.CaseMergeApi.as_view(), name="case-merge"),
    path("cases/<int:pk>/messages/", apis.CaseMessagesApi.as_view(), name="case-messages"),
    path("", include("cxm.cases.config_api_urls")),
]
