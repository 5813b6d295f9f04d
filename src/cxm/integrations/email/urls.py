from django.urls import path

from cxm.integrations.email.views import InboundEmailWebhookView

app_name = "email_inbound"
urlpatterns = [
    path("inbound/<str:secret>/", InboundEmailWebhookView.as_view(), name="webhook"),
]
