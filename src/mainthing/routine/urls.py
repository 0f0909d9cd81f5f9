from django.urls import path

from . import views

app_name = "routine"

urlpatterns = [
    path("", views.routine, name="edit"),
    path("template/", views.apply_template, name="apply-template"),
    path("<int:pk>/edit/", views.edit_block, name="edit-block"),
    path("<int:pk>/remove/", views.remove_block, name="remove-block"),
    path("<int:pk>/exceptions/", views.add_exception, name="add-exception"),
    path("exceptions/<int:pk>/remove/", views.remove_exception, name="remove-exception"),
]
