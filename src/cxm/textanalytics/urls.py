from django.urls import include, path

from cxm.textanalytics import views

app_name = "textanalytics"
urlpatterns = [
    path("", views.ExplorerView.as_view(), name="explorer"),
    path("items/<int:pk>/", views.TextItemView.as_view(), name="item"),
    path("items/<int:pk>/relabel/", views.TextItemRelabelView.as_view(), name="relabel"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/new/", views.TopicEditView.as_view(), name="topic-create"),
    path("topics/<int:pk>/", views.TopicEditView.as_view(), name="topic-edit"),
    path("topics/<int:pk>/delete/", views.TopicDeleteView.as_view(), name="topic-delete"),
    path("social/", views.SocialImportView.as_view(), name="social"),
    path("training/", views.TrainingView.as_view(), name="training"),
    path("training/retrain/", views.RetrainView.as_view(), name="retrain"),
    path(
        "training/models/<int:pk>/activate/",
        views.ModelActivateView.as_view(),
        name="model-activate",
    ),
    path("insights/", include("cxm.textanalytics.insight_urls")),
]
