from django.urls import URLPattern, URLResolver, path, re_path

from linju.conventions import views

P = "e/<slug:slug>/conventions/"
C = P + "<int:convention_id>/"
K = "e/<slug:slug>/console/conventions/"
D = K + "<int:convention_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, views.convention_list_view, name="convention_list"),
    path(C, views.convention_detail_view, name="convention_detail"),
    path(C + "read/", views.convention_read_view, name="convention_read"),
    path(C + "diff/", views.convention_diff_view, name="convention_diff"),
    path(C + "print.pdf", views.convention_pdf_view, name="convention_pdf"),
    path(
        C + "clauses/<int:clause_id>/comments/",
        views.clause_comments_view,
        name="clause_comments",
    ),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/conventions/(?P<convention_id>[0-9]+)/comments/"
        r"(?P<comment_id>[0-9]+)/(?P<action>hide|report)/$",
        views.clause_comment_action_view,
        name="clause_comment_action",
    ),
    path(K + "new/", views.console_convention_create_view, name="console_convention_create"),
    path(D, views.console_convention_view, name="console_convention"),
    path(D + "clauses/", views.console_clause_add_view, name="console_clause_add"),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/console/conventions/(?P<convention_id>[0-9]+)/clauses/"
        r"(?P<clause_id>[0-9]+)/(?P<action>edit|remove|up|down)/$",
        views.console_clause_action_view,
        name="console_clause_action",
    ),
    path(D + "versions/", views.console_version_save_view, name="console_version_save"),
    path(D + "vote/", views.console_convention_vote_view, name="console_convention_vote"),
    path(
        D + "withdraw/", views.console_convention_withdraw_view, name="console_convention_withdraw"
    ),
]
