"""``linju create_estate``: a street, an estate and its first staff account, in one go.

Acts as the platform admin named by ``--as`` through the same services the web pages use, so
permissions are checked and every write is audited. All or nothing: if any step is refused,
nothing is written.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from linju.community import services
from linju.community.models import Street
from linju.core import permissions
from linju.core.management import describe_validation_error, read_password


class _Refused(Exception):
    def __init__(self, step: str, detail: str):
        super().__init__(f"Could not {step}:\n{detail}")


class Command(BaseCommand):
    help = (
        "Create a street (or reuse one by its short name), an estate in it, and the estate's "
        "first residents' committee staff account, acting as a platform admin."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="A platform admin to act as (make one with `linju create_admin`).",
        )
        street = parser.add_argument_group("street")
        street.add_argument("--street-name", help="e.g. 万里街道 (needed for a new street)")
        street.add_argument("--street-slug", required=True, help="Short name, e.g. wanli")
        street.add_argument("--street-district", default="", help="e.g. 普陀区")
        street.add_argument("--street-city", default="", help="e.g. 上海市")
        estate = parser.add_argument_group("estate")
        estate.add_argument("--estate-name", required=True, help="e.g. 中浩云花园")
        estate.add_argument("--estate-slug", required=True, help="Short name, e.g. zhonghao")
        estate.add_argument("--estate-address", default="")
        estate.add_argument("--built-year", type=int, default=None)
        staff = parser.add_argument_group("first staff account")
        staff.add_argument("--staff-username", required=True)
        staff.add_argument(
            "--staff-password",
            help="The password (visible to other users of this machine; prefer the others).",
        )
        staff.add_argument(
            "--staff-password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        staff.add_argument("--staff-display-name", default="")
        staff.add_argument("--staff-phone", default="", help="Mainland mobile number.")

    def handle(self, *args, **options):
        actor = self._actor(options["as_user"])
        password = read_password(options, value="staff_password", from_stdin="staff_password_stdin")
        try:
            with transaction.atomic():
                street, street_created = self._street(actor, options)
                estate = self._step(
                    "create the estate",
                    services.estate_create,
                    actor=actor,
                    street=street,
                    name=options["estate_name"],
                    slug=options["estate_slug"],
                    address=options["estate_address"],
                    built_year=options["built_year"],
                )
                staff = self._step(
                    "create the staff account",
                    services.staff_account_create,
                    actor=actor,
                    estate=estate,
                    username=options["staff_username"].strip(),
                    password=password,
                    display_name=options["staff_display_name"],
                    phone=options["staff_phone"],
                )
        except _Refused as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None

        if street_created:
            self.stdout.write(f"Created street {street.name} ({street.slug}).")
        else:
            self.stdout.write(f"Using existing street {street.name} ({street.slug}).")
        self.stdout.write(f"Created estate {estate.name} ({estate.slug}).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created residents' committee staff account {staff.username} for {estate.name}."
            )
        )
        return None

    def _actor(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active account named {username!r}. Create a platform admin first: "
                f"linju create_admin {username}"
            )
        if not permissions.actor_for(user).is_admin:
            raise CommandError(
                f"{username!r} is not a platform admin; only platform admins create estates."
            )
        return user

    def _street(self, actor, options) -> tuple[Street, bool]:
        slug = options["street_slug"].strip()
        street = Street.objects.filter(slug=slug).first()
        if street is not None:
            return street, False
        if not (options["street_name"] or "").strip():
            raise _Refused("create the street", f"There is no street {slug!r}; give --street-name.")
        street = self._step(
            "create the street",
            services.street_create,
            actor=actor,
            name=options["street_name"],
            slug=slug,
            district=options["street_district"],
            city=options["street_city"],
        )
        return street, True

    @staticmethod
    def _step(step: str, service, **kwargs):
        try:
            return service(**kwargs)
        except ValidationError as exc:
            raise _Refused(step, describe_validation_error(exc)) from None
        except PermissionDenied as exc:
            raise _Refused(step, str(exc)) from None
