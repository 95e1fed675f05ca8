from django.urls import path

from matching import recommendation_views, views

app_name = "matching"

urlpatterns = [
    path("mentors/", views.search, name="search"),
    path("suggestions/terms/", views.term_suggestions, name="term_suggestions"),
    path("recommendations/", recommendation_views.recommendations, name="recommendations"),
    path(
        "recommendations/not-interested/<int:mentor_id>/",
        recommendation_views.not_interested,
        name="not_interested",
    ),
    path("recommendations/open/<int:mentor_id>/", recommendation_views.open_recommendation, name="open"),
    path("recommendations/personalisation/", recommendation_views.personalisation, name="personalisation"),
]
