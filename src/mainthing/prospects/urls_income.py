from django.urls import path

app_name = "income"

urlpatterns: list = [
    # income routes (views/money.py)
]
