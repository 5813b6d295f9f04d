from django.urls import path

app_name = "survey_public"
urlpatterns: list = []
