"""Library pages (HTML): documents and the search across documents, working groups and entities."""

from django.urls import path

from compact.library import views

app_name = "library"

urlpatterns = [
    path("documents/", views.document_list, name="document-list"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/export.csv", views.document_export, name="document-export"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/download", views.document_download, name="document-download"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document-edit"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
    path("documents/<int:pk>/sharing/", views.document_sharing, name="document-sharing"),
    path("search/", views.search, name="search"),
]
