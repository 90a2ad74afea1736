from django.urls import URLPattern, URLResolver, path

from linju.consultations.views import console, public

P = "e/<slug:slug>/surveys/"
S = P + "<int:consultation_id>/"
C = "e/<slug:slug>/console/surveys/"
M = C + "<int:consultation_id>/"
Q = M + "questions/<int:question_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, public.consultations_view, name="consultations"),
    path(S, public.consultation_detail_view, name="consultation_detail"),
    path(S + "answer/", public.consultation_answer_view, name="consultation_answer"),
    path(S + "draft/", public.consultation_draft_view, name="consultation_draft"),
    path(C, console.console_consultations_view, name="console_consultations"),
    path(C + "new/", console.console_consultation_create_view, name="console_consultation_create"),
    path(M, console.console_consultation_view, name="console_consultation"),
    path(M + "edit/", console.console_consultation_edit_view, name="console_consultation_edit"),
    path(M + "questions/new/", console.console_question_add_view, name="console_question_add"),
    path(Q, console.console_question_edit_view, name="console_question_edit"),
    path(Q + "delete/", console.console_question_delete_view, name="console_question_delete"),
    path(Q + "move/", console.console_question_move_view, name="console_question_move"),
    path(M + "open/", console.console_consultation_open_view, name="console_consultation_open"),
    path(M + "close/", console.console_consultation_close_view, name="console_consultation_close"),
    path(
        M + "remind/", console.console_consultation_remind_view, name="console_consultation_remind"
    ),
    path(M + "paper.pdf", console.console_consultation_pdf_view, name="console_consultation_pdf"),
    path(M + "paper/", console.console_consultation_paper_view, name="console_consultation_paper"),
]
