from django.urls import URLPattern, URLResolver, include, path, re_path

from linju.decisions.views import console, public

E = "e/<slug:slug>/decisions/<int:decision_id>/"
C = "e/<slug:slug>/console/decisions/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("e/<slug:slug>/decisions/", public.decision_list_view, name="decisions"),
    path(E, public.decision_detail_view, name="decision_detail"),
    path(E + "vote/", public.decision_vote_view, name="decision_vote"),
    path(E + "voted/<str:receipt>/", public.decision_voted_view, name="decision_voted"),
    path(E + "board/", public.decision_board_view, name="decision_board"),
    path(E + "roll/", public.decision_roll_view, name="decision_roll"),
    path("v/<str:token>/", public.ballot_link_view, name="ballot_link"),
    path(C, console.console_decisions_view, name="console_decisions"),
    path(C + "new/", console.console_decision_create_view, name="console_decision_create"),
    path(C + "settings/", console.console_decision_settings_view, name="console_decision_settings"),
    path(C + "<int:decision_id>/", console.console_decision_view, name="console_decision"),
    path(
        C + "<int:decision_id>/edit/",
        console.console_decision_edit_view,
        name="console_decision_edit",
    ),
    path(
        C + "<int:decision_id>/roll/amend/",
        console.console_decision_amend_view,
        name="console_decision_amend",
    ),
    path(
        C + "<int:decision_id>/served/",
        console.console_decision_served_view,
        name="console_decision_served",
    ),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/console/decisions/(?P<decision_id>[0-9]+)/"
        r"(?P<action>announce|open|close|tally|publish|archive|cancel)/$",
        console.console_decision_action_view,
        name="console_decision_action",
    ),
]

urlpatterns += [path("", include("linju.decisions.urls_print"))]
