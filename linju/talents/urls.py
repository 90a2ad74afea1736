from django.urls import URLPattern, URLResolver, path, re_path

from linju.talents import views

T = "e/<slug:slug>/talents/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(T, views.directory_view, name="talents"),
    path(T + "me/", views.my_talent_view, name="my_talent"),
    path(T + "me/withdraw/", views.my_talent_withdraw_view, name="my_talent_withdraw"),
    path(T + "me/works/", views.my_work_add_view, name="my_talent_work_add"),
    path(
        T + "me/works/<int:work_id>/remove/",
        views.my_work_remove_view,
        name="my_talent_work_remove",
    ),
    path(T + "invitations/", views.invitations_view, name="talent_invitations"),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/talents/invitations/(?P<credit_id>[0-9]+)/"
        r"(?P<answer>accept|decline)/$",
        views.invitation_answer_view,
        name="talent_invitation_answer",
    ),
    path(T + "invite/<int:project_id>/", views.project_invite_view, name="talent_project_invite"),
    path(T + "<int:profile_id>/", views.talent_detail_view, name="talent_detail"),
    path(
        T + "works/<int:work_id>/<str:size>/",
        views.talent_work_photo_view,
        name="talent_work_photo",
    ),
]
