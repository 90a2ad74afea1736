from django.urls import path

from linju.community import views
from linju.community.roster import views as roster_views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("me/", views.my_home_view, name="my_home"),
    path("platform/", views.platform_view, name="platform"),
    path("e/<slug:slug>/", views.estate_home_view, name="estate_home"),
    path("e/<slug:slug>/b/<str:number>/", views.building_detail_view, name="building_detail"),
    path("e/<slug:slug>/console/", views.console_view, name="console"),
    path(
        "e/<slug:slug>/console/buildings/new/",
        views.console_building_create_view,
        name="console_building_create",
    ),
    path(
        "e/<slug:slug>/console/buildings/<str:number>/edit/",
        views.console_building_edit_view,
        name="console_building_edit",
    ),
    path("e/<slug:slug>/console/flats/", views.console_flats_view, name="console_flats"),
    path(
        "e/<slug:slug>/console/flats/new/",
        views.console_flat_create_view,
        name="console_flat_create",
    ),
    path(
        "e/<slug:slug>/console/flats/<int:flat_id>/",
        views.console_flat_view,
        name="console_flat",
    ),
    path("e/<slug:slug>/console/people/", views.console_people_view, name="console_people"),
    path(
        "e/<slug:slug>/console/people/new/",
        views.console_person_create_view,
        name="console_person_create",
    ),
    path(
        "e/<slug:slug>/console/people/<int:person_id>/",
        views.console_person_view,
        name="console_person",
    ),
    path(
        "e/<slug:slug>/console/people/<int:person_id>/occupancies/",
        views.console_occupancy_create_view,
        name="console_occupancy_create",
    ),
    path(
        "e/<slug:slug>/console/occupancies/<int:occupancy_id>/end/",
        views.console_occupancy_end_view,
        name="console_occupancy_end",
    ),
    path("e/<slug:slug>/console/roles/", views.console_roles_view, name="console_roles"),
    path(
        "e/<slug:slug>/console/roles/<int:role_id>/end/",
        views.console_role_end_view,
        name="console_role_end",
    ),
    path("e/<slug:slug>/console/audit/", views.console_audit_view, name="console_audit"),
    path("e/<slug:slug>/console/roster/", roster_views.console_roster_view, name="console_roster"),
    path(
        "e/<slug:slug>/console/roster/export/",
        roster_views.console_roster_export_view,
        name="console_roster_export",
    ),
    path(
        "e/<slug:slug>/console/roster/lock/",
        roster_views.console_roster_lock_view,
        name="console_roster_lock",
    ),
    path(
        "e/<slug:slug>/console/roster/<int:import_id>/",
        roster_views.console_roster_import_view,
        name="console_roster_import",
    ),
    path(
        "e/<slug:slug>/console/roster/<int:import_id>/columns/",
        roster_views.console_roster_columns_view,
        name="console_roster_columns",
    ),
    path(
        "e/<slug:slug>/console/roster/<int:import_id>/confirm/",
        roster_views.console_roster_confirm_view,
        name="console_roster_confirm",
    ),
]
