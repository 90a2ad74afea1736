from django.urls import URLPattern, URLResolver, path

from linju.consultations import views_results as views

S = "e/<slug:slug>/surveys/<int:consultation_id>/"
R = "e/<slug:slug>/console/surveys/<int:consultation_id>/results/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(S + "results/", views.consultation_results_view, name="consultation_results"),
    path(R, views.console_consultation_results_view, name="console_consultation_results"),
    path(
        R + "text/<int:question_id>/",
        views.console_consultation_results_text_view,
        name="console_consultation_results_text",
    ),
    path(
        R + "waiting/",
        views.console_consultation_results_waiting_view,
        name="console_consultation_results_waiting",
    ),
    path(
        R + "results.xlsx",
        views.console_consultation_results_xlsx_view,
        name="console_consultation_results_xlsx",
    ),
    path(
        R + "responses.csv",
        views.console_consultation_results_csv_view,
        name="console_consultation_results_csv",
    ),
    path(
        R + "photos/<int:photo_id>/<str:size>/",
        views.console_consultation_results_photo_view,
        name="console_consultation_results_photo",
    ),
    path(
        R + "publish/",
        views.console_consultation_publish_view,
        name="console_consultation_publish",
    ),
]
