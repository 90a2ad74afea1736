from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoundationConfig(AppConfig):
    name = "linju.foundation"
    label = "foundation"
    verbose_name = _("Community foundation")

    def ready(self) -> None:
        from linju.foundation import board, requirements, sections

        board.register()
        requirements.register()
        sections.register()
