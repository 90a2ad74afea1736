from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "linju.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        if apps.is_installed("linju.notices"):
            from linju.consultations.board import consultations_section
            from linju.notices.board import register_section

            register_section("consultations", consultations_section)
