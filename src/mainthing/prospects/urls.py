from django.urls import path

app_name = "prospects"

urlpatterns: list = [
    # prospect routes (views/prospects.py)
    # import routes (views/importing.py)
    # source routes (views/money.py)
]
