"""Pages of the planning app, under ``/planning/``."""

from django.urls import path

from compact.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("new/", views.programme_create, name="programme-create"),
    path("compare/", views.compare, name="compare"),
    path("working-groups/<int:number>/", views.group_workplan, name="group-workplan"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<int:pk>/adopt/", views.programme_adopt, name="programme-adopt"),
    path("<int:pk>/new-version/", views.programme_new_version, name="programme-new-version"),
    path("<int:pk>/carry-over/", views.carry_over, name="carry-over"),
    path("<int:pk>/priorities/new/", views.priority_create, name="priority-create"),
    path("<int:pk>/workplans/new/", views.workplan_create, name="workplan-create"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority-edit"),
    path("priorities/<int:pk>/delete/", views.priority_delete, name="priority-delete"),
    path("workplans/<int:pk>/", views.workplan_detail, name="workplan"),
    path("workplans/<int:pk>/edit/", views.workplan_edit, name="workplan-edit"),
    path("workplans/<int:pk>/outputs/new/", views.output_create, name="output-create"),
    path("outputs/<int:pk>/edit/", views.output_edit, name="output-edit"),
    path("outputs/<int:pk>/delete/", views.output_delete, name="output-delete"),
    path("outputs/<int:pk>/activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity-delete"),
]
