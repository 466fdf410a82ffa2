"""Pages of the projects app, under ``/projects/``."""

from django.urls import path

from compact.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<int:pk>/delete/", views.project_delete, name="project-delete"),
    path("<int:pk>/<slug:step>/", views.project_step, name="project-step"),
]
