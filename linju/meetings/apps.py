"""Meetings of a building group or an estate: hearings, coordination and review meetings (三会),
pitches and ordinary building-group meetings, with their minutes on the disclosure board."""

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "linju.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from linju.meetings import requirements

        requirements.register()
        if apps.is_installed("linju.projects"):
            from linju.meetings.sections import project_meetings_section
            from linju.projects.sections import register_section

            register_section("meetings", project_meetings_section)
