app_name = "cases_config"
urlpatterns: list = []
