from django.urls import path

from .views import scorecard, settings

app_name = "insights"

urlpatterns = [
    path("", scorecard.scorecard, name="scorecard"),
    path("review/", scorecard.review, name="review"),
    path("csv/<slug:table>/", scorecard.table_csv, name="csv"),
    path("goal/", settings.goal, name="goal"),
    path("review/email/", settings.review_email, name="review-email"),
]
