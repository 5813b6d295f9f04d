from django.urls import path

from cxm.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.ChannelListView.as_view(), name="list"),
    path("new/", views.ChannelFormView.as_view(), name="create"),
    path("<int:pk>/", views.ChannelFormView.as_view(), name="edit"),
]
