from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "linju.grants"
    label = "grants"
    verbose_name = _("Foundation grants")

    def ready(self) -> None:
        from linju.grants import board

        board.register()
