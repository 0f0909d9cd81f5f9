from django.urls import path

from .views import money

app_name = "income"

urlpatterns: list = [
    # income routes (views/money.py)
    path("", money.income_list, name="list"),
    path("add/", money.add_income, name="add"),
    path("<int:pk>/delete/", money.delete_income, name="delete"),
]
