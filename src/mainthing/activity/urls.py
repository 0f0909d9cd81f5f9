from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("", views.activity_log, name="log"),
    path("start/", views.start_timer, name="start-timer"),
    path("stop/", views.stop_timer, name="stop-timer"),
    path("new/", views.add_entry, name="add-entry"),
    path("<int:pk>/edit/", views.edit_entry, name="edit-entry"),
    path("<int:pk>/delete/", views.delete_entry, name="delete-entry"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.edit_category, name="edit-category"),
    path("import/", views.import_activities, name="import"),
    path("import/<int:pk>/", views.import_job, name="import-job"),
    path("import/<int:pk>/apply/", views.apply_import, name="import-apply"),
    path("import/<int:pk>/retry/", views.retry_import, name="import-retry"),
]
