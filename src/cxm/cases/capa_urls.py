"""CAPA pages, mounted at /cases/capa/."""

from django.urls import path

from cxm.cases import capa_views as views

app_name = "cases_capa"
urlpatterns = [
    path("", views.CapaListView.as_view(), name="list"),
    path("new/", views.CapaFormView.as_view(), name="create"),
    path("<int:pk>/", views.CapaDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CapaFormView.as_view(), name="edit"),
    path("<int:pk>/cases/", views.CapaLinkCasesView.as_view(), name="link-cases"),
]
