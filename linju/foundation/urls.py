from django.urls import path

from linju.foundation import views

S = "s/<slug:street_slug>/foundation/"
P = S + "programmes/<int:pk>/"
A = S + "applications/<int:pk>/"

urlpatterns = [
    path(S, views.foundation_home_view, name="foundation_home"),
    path(S + "programmes/new/", views.programme_create_view, name="programme_create"),
    path(P, views.programme_detail_view, name="programme_detail"),
    path(P + "edit/", views.programme_edit_view, name="programme_edit"),
    path(P + "publish/", views.programme_publish_view, name="programme_publish"),
    path(P + "advance/", views.programme_advance_view, name="programme_advance"),
    path(
        P + "apply/<int:project_id>/",
        views.application_create_view,
        name="application_create",
    ),
    path(A, views.application_detail_view, name="application_detail"),
    path(A + "edit/", views.application_edit_view, name="application_edit"),
    path(A + "submit/", views.application_submit_view, name="application_submit"),
    path(A + "endorse/", views.application_endorse_view, name="application_endorse"),
    path(A + "return/", views.application_return_view, name="application_return"),
    path(A + "receive/", views.application_receive_view, name="application_receive"),
    path(A + "move/", views.application_move_view, name="application_move"),
    path(
        A + "documents/request/",
        views.document_request_view,
        name="application_document_request",
    ),
    path(A + "documents/add/", views.document_upload_view, name="application_document_add"),
    path(
        A + "documents/<int:document_id>/",
        views.application_document_view,
        name="application_document",
    ),
    path(A + "photos/add/", views.application_photo_add_view, name="application_photo_add"),
    path(
        A + "photos/<int:photo_id>/<str:size>/",
        views.application_photo_view,
        name="application_photo",
    ),
    path(
        "e/<slug:slug>/console/foundation/",
        views.console_applications_view,
        name="console_foundation_applications",
    ),
]
