from django.contrib.auth import views as auth_views
from django.urls import path

from dealix.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("password-reset/", views.password_views["password_reset"], name="password_reset"),
    path("password-reset/sent/", views.password_views["password_reset_done"], name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_views["password_reset_confirm"], name="password_reset_confirm"),
    path("reset/done/", views.password_views["password_reset_complete"], name="password_reset_complete"),
    path("password-change/", views.password_views["password_change"], name="password_change"),
    path("password-change/done/", views.password_views["password_change_done"], name="password_change_done"),
    path("notifications/", views.notification_preferences, name="notifications"),
]
