from django.urls import path

from cxm.textanalytics import apis

urlpatterns = [
    path("text-items/", apis.TextItemListApi.as_view(), name="text-item-list"),
    path("text-items/<int:pk>/", apis.TextItemDetailApi.as_view(), name="text-item-detail"),
    path("topics/", apis.TopicListApi.as_view(), name="topic-list"),
    path("topics/<int:pk>/", apis.TopicDetailApi.as_view(), name="topic-detail"),
    path("text/analyze/", apis.AnalyzeApi.as_view(), name="text-analyze"),
]
