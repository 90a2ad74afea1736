from django.urls import URLPattern, URLResolver, path

from linju.meetings.views import console, public

P = "e/<slug:slug>/meetings/"
C = "e/<slug:slug>/console/meetings/"
M = C + "<int:meeting_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, public.meetings_view, name="meetings"),
    path(P + "<int:meeting_id>/", public.meeting_detail_view, name="meeting_detail"),
    path(P + "<int:meeting_id>/respond/", public.meeting_respond_view, name="meeting_respond"),
    path(C, console.console_meetings_view, name="console_meetings"),
    path(C + "new/", console.console_meeting_create_view, name="console_meeting_create"),
    path(M, console.console_meeting_view, name="console_meeting"),
    path(M + "edit/", console.console_meeting_edit_view, name="console_meeting_edit"),
    path(M + "cancel/", console.console_meeting_cancel_view, name="console_meeting_cancel"),
    path(M + "invite/", console.console_meeting_invite_view, name="console_meeting_invite"),
    path(
        M + "attendance/",
        console.console_meeting_attendance_view,
        name="console_meeting_attendance",
    ),
    path(M + "roster/", console.console_meeting_roster_view, name="console_meeting_roster"),
    path(
        M + "attendance/<int:attendance_id>/remove/",
        console.console_meeting_attendance_remove_view,
        name="console_meeting_attendance_remove",
    ),
    path(M + "sheet.pdf", console.console_meeting_sheet_pdf_view, name="console_meeting_sheet_pdf"),
    path(M + "sheets/", console.console_meeting_sheet_add_view, name="console_meeting_sheet_add"),
    path(
        M + "sheets/<int:sheet_id>/<str:size>/",
        console.console_meeting_sheet_photo_view,
        name="console_meeting_sheet_photo",
    ),
    path(M + "minutes/", console.console_meeting_minutes_view, name="console_meeting_minutes"),
    path(M + "publish/", console.console_meeting_publish_view, name="console_meeting_publish"),
]
