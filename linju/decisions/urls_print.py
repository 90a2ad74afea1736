from django.urls import path

from linju.decisions.views import printing as views

E = "e/<slug:slug>/decisions/<int:decision_id>/"
P = "e/<slug:slug>/console/decisions/<int:decision_id>/paper/"

urlpatterns = [
    path(E + "notice.pdf", views.decision_notice_pdf_view, name="decision_notice_pdf"),
    path(E + "ballots.pdf", views.decision_ballots_pdf_view, name="decision_ballots_pdf"),
    path(E + "results.pdf", views.decision_results_pdf_view, name="decision_results_pdf"),
    path(E + "record.json", views.decision_record_json_view, name="decision_record_json"),
    path(E + "record.xlsx", views.decision_record_xlsx_view, name="decision_record_xlsx"),
    path(P, views.decision_paper_view, name="decision_paper"),
    path(
        P + "<int:paper_id>/discard/",
        views.decision_paper_discard_view,
        name="decision_paper_discard",
    ),
    path(P + "<int:paper_id>/photo/", views.decision_paper_photo_view, name="decision_paper_photo"),
]
