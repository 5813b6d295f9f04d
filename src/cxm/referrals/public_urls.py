app_name = "referrals_public"
urlpatterns: list = []
