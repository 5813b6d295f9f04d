from django.urls import path

from cxm.integrations.telegram.views import TelegramWebhookView

urlpatterns = [
    path("webhook/<str:secret>/", TelegramWebhookView.as_view(), name="telegram-webhook"),
]
