app_name = "email_inbound"
urlpatterns: list = []
