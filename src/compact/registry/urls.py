"""Registry pages (HTML): home, strategy, committee, working groups, entities."""

from django.urls import path

from compact.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.home, name="home"),
    path("strategy/", views.strategy, name="strategy"),
    path("committee/", views.committee, name="committee"),
    path("working-groups/", views.working_group_list, name="working-group-list"),
    path("working-groups/<int:number>/", views.working_group_detail, name="working-group"),
    path("entities/", views.entity_list, name="entity-list"),
    path("entities/<str:acronym>/", views.entity_detail, name="entity"),
]
