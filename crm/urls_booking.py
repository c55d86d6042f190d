"""The public booking pages of a tenant's host (/book/…): signed links, no login."""
from django.urls import path

from crm import views_booking_page

app_name = "booking"
urlpatterns = [
    path("manage/<str:token>/", views_booking_page.manage, name="manage"),
    path("<str:token>/", views_booking_page.book, name="book"),
]
