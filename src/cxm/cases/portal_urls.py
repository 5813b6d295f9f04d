from django.urls import path

from cxm.cases import portal_views as views

app_name = "cases_portal"
urlpatterns = [
    path("<str:token>/", views.PortalHomeView.as_view(), name="home"),
    path("<str:token>/new/", views.PortalNewCaseView.as_view(), name="new"),
    path("<str:token>/cases/<int:pk>/", views.PortalCaseView.as_view(), name="case"),
    path("<str:token>/cases/<int:pk>/rate/", views.PortalRateView.as_view(), name="rate"),
    path(
        "<str:token>/cases/<int:pk>/files/<int:attachment_pk>/",
        views.PortalAttachmentView.as_view(),
        name="attachment",
    ),
]
