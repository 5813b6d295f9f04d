from django.contrib.auth import views as auth_views
from django.urls import path

from cxm.accounts import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("preferences/language/", views.switch_language, name="preferences-language"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/units/new/", views.UnitFormView.as_view(), name="unit-create"),
    path("people/units/<int:pk>/", views.UnitFormView.as_view(), name="unit-edit"),
    path("people/teams/new/", views.TeamFormView.as_view(), name="team-create"),
    path("people/teams/<int:pk>/", views.TeamFormView.as_view(), name="team-edit"),
    path("people/positions/new/", views.PositionFormView.as_view(), name="position-create"),
    path("people/positions/<int:pk>/", views.PositionFormView.as_view(), name="position-edit"),
    path("people/users/", views.UserListView.as_view(), name="user-list"),
    path("people/users/new/", views.UserFormView.as_view(), name="user-create"),
    path("people/users/<int:pk>/", views.UserFormView.as_view(), name="user-edit"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
]
