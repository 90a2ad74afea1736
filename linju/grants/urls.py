from django.urls import URLPattern, URLResolver, path

from linju.grants import views

S = "s/<slug:street>/foundation/"
G = S + "grants/<int:grant_id>/"
R = S + "review/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(S + "programmes/<int:programme_id>/review/", views.console_view, name="grants_console"),
    path(
        S + "programmes/<int:programme_id>/review/reviewers/",
        views.reviewer_assign_view,
        name="grants_reviewer_assign",
    ),
    path(S + "programmes/<int:programme_id>/review/pitch/", views.pitch_view, name="grants_pitch"),
    path(S + "applications/<int:application_id>/decide/", views.decide_view, name="grants_decide"),
    path(S + "grants/", views.public_grants_view, name="grants_public"),
    path(S + "grants/overdue/", views.overdue_view, name="grants_overdue"),
    path(G, views.grant_detail_view, name="grant_detail"),
    path(G + "agreement.pdf", views.agreement_pdf_view, name="grants_agreement_pdf"),
    path(G + "disburse/", views.disburse_view, name="grants_disburse"),
    path(G + "reports/<int:report_id>/", views.report_submit_view, name="grants_report_submit"),
    path(
        G + "photos/<int:photo_id>/<str:size>/",
        views.report_photo_view,
        name="grants_report_photo",
    ),
    path(R, views.my_reviews_view, name="grants_my_reviews"),
    path(
        R + "<int:assignment_id>/applications/<int:application_id>/",
        views.score_view,
        name="grants_score",
    ),
    path(R + "<int:assignment_id>/conflicts/", views.conflict_view, name="grants_conflict"),
]
