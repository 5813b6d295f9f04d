from django.urls import path

from cxm.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.JourneyListView.as_view(), name="list"),
    path("new/", views.JourneyFormView.as_view(), name="create"),
    path("<int:pk>/", views.JourneyMapView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.JourneyFormView.as_view(), name="edit"),
    path("<int:journey_pk>/stages/new/", views.StageFormView.as_view(), name="stage-create"),
    path("stages/<int:pk>/", views.StageFormView.as_view(), name="stage-edit"),
    path("stages/<int:pk>/move/", views.StageMoveView.as_view(), name="stage-move"),
    path(
        "stages/<int:stage_pk>/touchpoints/new/",
        views.TouchpointFormView.as_view(),
        name="touchpoint-create",
    ),
    path("touchpoints/<int:pk>/", views.TouchpointFormView.as_view(), name="touchpoint-edit"),
    path("touchpoints/<int:pk>/move/", views.TouchpointMoveView.as_view(), name="touchpoint-move"),
    path(
        "touchpoints/<int:touchpoint_pk>/pain-points/new/",
        views.PainPointFormView.as_view(),
        name="painpoint-create",
    ),
    path("pain-points/<int:pk>/", views.PainPointFormView.as_view(), name="painpoint-edit"),
]
