from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "linju.projects"
    label = "projects"
    verbose_name = _("Building-group projects")

    def ready(self) -> None:
        from linju.projects import requirements

        requirements.register_builtin()
