from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "linju.funding"
    label = "funding"
    verbose_name = _("Funds and the public ledger")

    def ready(self) -> None:
        if apps.is_installed("linju.notices"):
            from linju.funding.board import funds_section
            from linju.funding.reports import reports_section
            from linju.notices.board import register_section

            register_section("funds", funds_section)
            register_section("reports", reports_section)
