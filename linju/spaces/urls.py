from django.urls import URLPattern, URLResolver, path

from linju.spaces import views

S = "e/<slug:slug>/spaces/"
P = S + "<int:space_id>/"
C = "e/<slug:slug>/console/spaces/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(S, views.spaces_view, name="spaces"),
    path(S + "mine/", views.my_bookings_view, name="my_bookings"),
    path(P, views.space_detail_view, name="space_detail"),
    path(P + "rules/accept/", views.space_accept_rules_view, name="space_accept_rules"),
    path(P + "book/", views.space_book_view, name="space_book"),
    path(P + "waiting/join/", views.waiting_join_view, name="space_waiting_join"),
    path(
        P + "waiting/<int:entry_id>/leave/",
        views.waiting_leave_view,
        name="space_waiting_leave",
    ),
    path(
        S + "bookings/<int:booking_id>/cancel/",
        views.booking_cancel_view,
        name="space_booking_cancel",
    ),
    path(C + "new/", views.space_create_view, name="space_create"),
    path(C + "<int:space_id>/", views.space_console_view, name="space_console"),
    path(C + "<int:space_id>/edit/", views.space_edit_view, name="space_edit"),
    path(C + "<int:space_id>/spots/", views.spots_add_view, name="space_spots_add"),
    path(C + "<int:space_id>/allocate/", views.allocation_create_view, name="space_allocate"),
    path(
        C + "<int:space_id>/allocations/<int:allocation_id>/end/",
        views.allocation_end_view,
        name="space_allocation_end",
    ),
]
