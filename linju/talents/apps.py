from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentsConfig(AppConfig):
    name = "linju.talents"
    label = "talents"
    verbose_name = _("Residents' talents")

    def ready(self) -> None:
        from linju.projects.sections import register_section
        from linju.talents import selectors

        register_section("talents", selectors.project_section)
