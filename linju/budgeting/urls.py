from django.urls import URLPattern, URLResolver, path, re_path

from linju.budgeting import views

PB = "s/<slug:street>/foundation/pb/"
V = PB + "<int:vote_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(PB, views.vote_list_view, name="pb_list"),
    path(PB + "compute/", views.compute_view, name="pb_compute"),
    path(
        "s/<slug:street>/foundation/programmes/<int:programme_id>/pb/open/",
        views.vote_open_view,
        name="pb_vote_open",
    ),
    path(V, views.vote_view, name="pb_vote"),
    path(V + "receipt/<str:receipt>/", views.receipt_view, name="pb_receipt"),
    path(V + "results/", views.results_view, name="pb_results"),
    re_path(
        r"^s/(?P<street>[-a-zA-Z0-9_]+)/foundation/pb/(?P<vote_id>[0-9]+)/photos/"
        r"(?P<photo_id>[0-9]+)/(?P<size>thumb|web|full)/$",
        views.photo_view,
        name="pb_photo",
    ),
    path(V + "console/", views.console_view, name="pb_console"),
    path(V + "console/close/", views.close_view, name="pb_close"),
    path(V + "console/count/", views.count_view, name="pb_count"),
    path(V + "console/publish/", views.publish_view, name="pb_publish"),
    path(V + "export.pb", views.export_view, name="pb_export"),
    path(V + "paper/", views.paper_view, name="pb_paper"),
]
