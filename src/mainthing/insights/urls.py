from django.urls import path

from .views import scorecard

app_name = "insights"

urlpatterns = [
    path("", scorecard.scorecard, name="scorecard"),
    path("review/", scorecard.review, name="review"),
    path("csv/<slug:table>/", scorecard.table_csv, name="csv"),
]
