app_name = "cases_report"
urlpatterns: list = []
