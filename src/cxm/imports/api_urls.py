from django.urls import path

from cxm.imports import apis

urlpatterns = [
    path("imports/", apis.ImportJobListCreateApi.as_view(), name="api-import-list"),
    path("imports/<int:pk>/", apis.ImportJobDetailApi.as_view(), name="api-import-detail"),
    path(
        "imports/<int:pk>/mapping/", apis.ImportJobMappingApi.as_view(), name="api-import-mapping"
    ),
    path("imports/<int:pk>/dry-run/", apis.ImportJobDryRunApi.as_view(), name="api-import-dry-run"),
    path("imports/<int:pk>/commit/", apis.ImportJobCommitApi.as_view(), name="api-import-commit"),
    path("imports/<int:pk>/errors/", apis.ImportJobErrorsApi.as_view(), name="api-import-errors"),
]
