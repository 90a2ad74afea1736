from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "linju.donations"
    label = "donations"
    verbose_name = _("The foundation's money")
