app_name = "cases_capa"
urlpatterns: list = []
