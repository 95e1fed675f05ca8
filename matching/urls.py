from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("mentors/", views.search, name="search"),
]
