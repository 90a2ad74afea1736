from django.urls import path

from linju.membership import views

urlpatterns = [
    path("join/", views.join_view, name="join"),
    path("join/<str:code>/", views.join_code_view, name="join_code"),
    path(
        "me/join-requests/<int:request_id>/withdraw/",
        views.join_request_withdraw_view,
        name="join_request_withdraw",
    ),
    path("me/authorise/", views.delegation_grant_view, name="delegation_grant"),
    path(
        "authorisations/<int:delegation_id>/end/",
        views.delegation_revoke_view,
        name="delegation_revoke",
    ),
    path("e/<slug:slug>/join-requests/", views.join_requests_view, name="join_requests"),
    path(
        "e/<slug:slug>/join-requests/<int:request_id>/approve/",
        views.join_request_approve_view,
        name="join_request_approve",
    ),
    path(
        "e/<slug:slug>/join-requests/<int:request_id>/reject/",
        views.join_request_reject_view,
        name="join_request_reject",
    ),
    path("e/<slug:slug>/console/join-slips/", views.join_slips_view, name="join_slips"),
    path(
        "e/<slug:slug>/console/join-slips/<int:print_id>/",
        views.join_slips_download_view,
        name="join_slips_download",
    ),
    path(
        "e/<slug:slug>/console/flats/<int:flat_id>/join-code/",
        views.join_code_rotate_view,
        name="join_code_rotate",
    ),
    path(
        "e/<slug:slug>/console/people/<int:person_id>/authorise/",
        views.console_delegation_grant_view,
        name="console_delegation_grant",
    ),
]
