from django.urls import path

from mentors import views

app_name = "mentors"

urlpatterns = [
    path("become-a-mentor/", views.apply, name="apply"),
    path("mentor-dashboard/", views.dashboard, name="dashboard"),
]
