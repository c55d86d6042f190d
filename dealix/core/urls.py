from django.urls import path

from dealix.core import views

app_name = "core"
urlpatterns = [
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
]
