app_name = "textanalytics"
urlpatterns: list = []
