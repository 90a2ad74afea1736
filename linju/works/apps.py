from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    name = "linju.works"
    label = "works"
    verbose_name = _("Design, works and acceptance")

    def ready(self) -> None:
        from linju.works import requirements, sections

        requirements.register()
        sections.register()
