from django.urls import path

from affiliates import views

app_name = "affiliates"
urlpatterns = [
    path("", views.index, name="index"),
    path("portal/", views.portal, name="portal"),
]
