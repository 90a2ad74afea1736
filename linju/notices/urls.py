from django.urls import URLPattern, URLResolver, path, re_path

from linju.notices.views import console, public

B = "e/<slug:slug>/board/"
C = "e/<slug:slug>/console/board/"
N = C + "<int:notice_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(B, public.board_view, name="board"),
    path(B + "archive/", public.board_archive_view, name="board_archive"),
    path(B + "<int:notice_id>/", public.notice_detail_view, name="notice_detail"),
    path(
        B + "<int:notice_id>/files/<int:attachment_id>/",
        public.notice_attachment_view,
        name="notice_attachment",
    ),
    path(C, console.console_notices_view, name="console_notices"),
    path(C + "new/", console.console_notice_create_view, name="console_notice_create"),
    path(C + "settings/", console.console_board_settings_view, name="console_board_settings"),
    path(N, console.console_notice_view, name="console_notice"),
    path(N + "edit/", console.console_notice_edit_view, name="console_notice_edit"),
    path(N + "publish/", console.console_notice_publish_view, name="console_notice_publish"),
    path(N + "withdraw/", console.console_notice_withdraw_view, name="console_notice_withdraw"),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/console/board/(?P<notice_id>[0-9]+)/(?P<action>pin|unpin)/$",
        console.console_notice_pin_view,
        name="console_notice_pin",
    ),
    path(
        N + "files/",
        console.console_notice_attachment_add_view,
        name="console_notice_attachment_add",
    ),
    path(
        N + "files/<int:attachment_id>/remove/",
        console.console_notice_attachment_remove_view,
        name="console_notice_attachment_remove",
    ),
]
