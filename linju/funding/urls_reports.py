from django.urls import URLPattern, path, re_path

from linju.funding import views_reports

R = "e/<slug:slug>/funds/reports/"

urlpatterns: list[URLPattern] = [
    path(R, views_reports.report_list_view, name="disclosure_reports"),
    path(R + "make/", views_reports.report_make_view, name="disclosure_report_make"),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/funds/reports/(?P<report_id>[0-9]{1,18})\.(?P<extension>pdf|xlsx)$",
        views_reports.report_download_view,
        name="disclosure_report_download",
    ),
]
