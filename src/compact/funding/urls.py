"""Pages of the funding app, under ``/funding/``."""

from django.urls import path

from compact.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("projects/<int:pk>/", views.project_flows, name="project"),
    path("flows/<int:pk>/edit/", views.flow_edit, name="flow-edit"),
    path("flows/<int:pk>/delete/", views.flow_delete, name="flow-delete"),
    path("rates/", views.rates, name="rates"),
]
