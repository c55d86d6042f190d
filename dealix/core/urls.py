from django.urls import path

from dealix.core import saved_views, views

app_name = "core"
urlpatterns = [
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("views/save/", saved_views.save_view, name="save_view"),
    path("views/<uuid:pk>/delete/", saved_views.delete_view, name="delete_view"),
    path("views/columns/", saved_views.save_columns, name="save_columns"),
]
