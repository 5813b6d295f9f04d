from django.urls import path, re_path

from cxm.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("new/", views.ImportCreateView.as_view(), name="new"),
    path("<int:pk>/", views.ImportJobView.as_view(), name="job"),
    path("<int:pk>/commit/", views.ImportCommitView.as_view(), name="commit"),
    path("<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
    re_path(
        r"^(?P<pk>\d+)/errors\.(?P<fmt>csv|xlsx)$",
        views.ImportErrorsExportView.as_view(),
        name="errors-export",
    ),
    re_path(
        r"^export/customers\.(?P<fmt>csv|xlsx)$",
        views.CustomerExportView.as_view(),
        name="export-customers",
    ),
]
