from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "linju.conventions"
    label = "conventions"
    verbose_name = _("Conventions")

    def ready(self) -> None:
        from linju.conventions import sections

        sections.register()
