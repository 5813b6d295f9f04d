app_name = "cases_portal"
urlpatterns: list = []
