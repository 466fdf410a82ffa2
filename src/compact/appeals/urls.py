"""Pages of the appeals app: appeals with their projects and downloads, and calls for proposals."""

from django.urls import path, re_path

from compact.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="appeal-list"),
    path("new/", views.appeal_create, name="appeal-create"),
    path("calls/", views.call_list, name="call-list"),
    path("calls/new/", views.call_create, name="call-create"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call-edit"),
    path("calls/<int:pk>/delete/", views.call_delete, name="call-delete"),
    path("calls/<int:pk>/submit/", views.call_submit, name="call-submit"),
    path("calls/<int:pk>/score/", views.call_score, name="call-score"),
    path("calls/<int:pk>/select/", views.call_select, name="call-select"),
    path("calls/<int:pk>/appeal/", views.call_appeal, name="call-appeal"),
    path("calls/<int:pk>/step/", views.call_step, name="call-step"),
    path("<slug:key>/", views.appeal_detail, name="appeal"),
    re_path(r"^(?P<key>[-a-zA-Z0-9_]+)/projects\.(?P<fmt>csv|xlsx)$", views.appeal_download, name="appeal-download"),
    path("<slug:key>/step/", views.appeal_step, name="appeal-step"),
    path("<slug:key>/edit/", views.appeal_edit, name="appeal-edit"),
]
