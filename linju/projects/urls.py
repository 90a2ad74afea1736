from django.urls import path

from linju.projects import views

P = "e/<slug:slug>/projects/<int:pk>/"

urlpatterns = [
    path("e/<slug:slug>/projects/", views.project_list_view, name="projects"),
    path("e/<slug:slug>/projects/new/", views.project_create_view, name="project_create"),
    path(P, views.project_detail_view, name="project_detail"),
    path(P + "showcase/", views.project_showcase_view, name="project_showcase"),
    path(P + "edit/", views.project_edit_view, name="project_edit"),
    path(P + "move/", views.project_move_view, name="project_move"),
    path(P + "move-back/", views.project_move_back_view, name="project_move_back"),
    path(P + "cancel/", views.project_cancel_view, name="project_cancel"),
    path(P + "stages/<int:position>/assign/", views.stage_assign_view, name="stage_assign"),
    path(P + "photos/", views.project_photos_view, name="project_photos"),
    path(P + "photos/add/", views.photo_add_view, name="project_photo_add"),
    path(
        P + "photos/<int:photo_id>/remove/",
        views.photo_remove_view,
        name="project_photo_remove",
    ),
    path(
        P + "photos/<int:photo_id>/<str:size>/",
        views.project_photo_view,
        name="project_photo",
    ),
    path(P + "members/", views.project_members_view, name="project_members"),
    path(
        P + "members/<int:member_id>/end/",
        views.project_member_end_view,
        name="project_member_end",
    ),
    path(
        "e/<slug:slug>/console/projects/road/",
        views.console_road_view,
        name="console_project_road",
    ),
]
