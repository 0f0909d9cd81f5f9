from django.urls import path

from .views import importing, money, prospects

app_name = "prospects"

urlpatterns: list = [
    # prospect routes (views/prospects.py)
    path("", prospects.prospect_list, name="list"),
    path("add/", prospects.add_prospect, name="add"),
    path("export/", prospects.export_prospects, name="export"),
    path("suggest/", prospects.suggest, name="suggest"),
    path("<int:pk>/", prospects.prospect_card, name="card"),
    path("<int:pk>/edit/", prospects.edit_prospect, name="edit"),
    path("<int:pk>/stage/", prospects.change_stage, name="stage"),
    path("<int:pk>/note/", prospects.add_note, name="note"),
    path("<int:pk>/follow-up/", prospects.set_follow_up, name="follow-up"),
    path("<int:pk>/merge/", prospects.merge_prospects, name="merge"),
    path("<int:pk>/delete/", prospects.delete_prospect, name="delete"),
    # import routes (views/importing.py)
    path("import/", importing.import_leads, name="import"),
    path("import/<int:pk>/", importing.import_job, name="import-job"),
    path("import/<int:pk>/apply/", importing.apply_import, name="import-apply"),
    path("import/<int:pk>/retry/", importing.retry_import, name="import-retry"),
    # source routes (views/money.py)
    path("sources/", money.sources, name="sources"),
    path("sources/<int:pk>/", money.edit_source, name="edit-source"),
    path("sources/<int:pk>/qr.svg", money.source_qr, {"kind": "svg"}, name="source-qr-svg"),
    path("sources/<int:pk>/qr.png", money.source_qr, {"kind": "png"}, name="source-qr-png"),
    path("sources/<int:pk>/spend/", money.add_spend, name="add-spend"),
    path("sources/spend/<int:pk>/delete/", money.delete_spend, name="delete-spend"),
]
