from django.urls import include, path

from cxm.cases import views

app_name = "cases"
urlpatterns: list = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.CaseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/reply/", views.CaseReplyView.as_view(), name="reply"),
    path("<int:pk>/note/", views.CaseNoteView.as_view(), name="note"),
    path("<int:pk>/status/", views.CaseStatusView.as_view(), name="status"),
    path("<int:pk>/assign/", views.CaseAssignView.as_view(), name="assign"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="edit"),
    path("<int:pk>/merge/", views.CaseMergeView.as_view(), name="merge"),
    path("<int:pk>/canned/", views.CannedReplyView.as_view(), name="canned"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notifications-read"),
    path("settings/", include("cxm.cases.config_urls")),
    path("capa/", include("cxm.cases.capa_urls")),
    path("reports/", include("cxm.cases.report_urls")),
]
