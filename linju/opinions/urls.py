from django.urls import URLPattern, URLResolver, path

from linju.opinions import views

E = "e/<slug:slug>/opinions/"
D = E + "<int:discussion_id>/"
C = "e/<slug:slug>/console/opinions/"
CD = C + "<int:discussion_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(E, views.opinion_list_view, name="opinion_list"),
    path(D, views.opinion_discussion_view, name="opinion_discussion"),
    path(D + "vote/", views.opinion_vote_view, name="opinion_vote"),
    path(D + "statements/", views.opinion_statement_submit_view, name="opinion_statement_submit"),
    path(D + "map/", views.opinion_map_view, name="opinion_map"),
    path(C, views.console_opinions_view, name="console_opinions"),
    path(C + "new/", views.console_opinion_create_view, name="console_opinion_create"),
    path(CD, views.console_opinion_view, name="console_opinion"),
    path(CD + "open/", views.console_opinion_open_view, name="console_opinion_open"),
    path(CD + "close/", views.console_opinion_close_view, name="console_opinion_close"),
    path(
        CD + "statements/<int:statement_id>/",
        views.console_statement_moderate_view,
        name="console_statement_moderate",
    ),
]
