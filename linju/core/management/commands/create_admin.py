"""``linju create_admin``: a platform admin account, the first one included.

Platform admins create streets, estates and their first staff accounts (see
``linju create_estate``). With no admin yet there is nobody to grant the role, so this command
acts as the system; the audit log records it as such.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from linju.community.models import Role
from linju.core import audit
from linju.core.management import describe_validation_error, read_password
from linju.core.phones import normalise_phone


class Command(BaseCommand):
    help = "Create a platform admin account: a user holding the platform_admin role."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="Sign-in name of the new account.")
        parser.add_argument(
            "--password",
            help="The password (visible to other users of this machine; prefer the others).",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        parser.add_argument("--display-name", default="", help="Name shown to others.")
        parser.add_argument("--phone", default="", help="Mainland mobile number (optional).")

    def handle(self, *args, **options):
        username = options["username"].strip()
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        phone = ""
        if options["phone"]:
            phone = normalise_phone(options["phone"]) or ""
            if not phone:
                raise CommandError(f"{options['phone']!r} is not a mainland mobile number.")
            if user_model.objects.filter(phone=phone).exists():
                raise CommandError("This phone number already has an account.")
        password = read_password(options, value="password", from_stdin="password_stdin")

        user = user_model(
            username=username,
            display_name=options["display_name"].strip(),
            phone=phone or None,
        )
        try:
            validate_password(password, user)
            user.set_password(password)
            user.full_clean(exclude=["password"])
            with transaction.atomic():
                user.save()
                role = Role.objects.create(user=user, kind=Role.Kind.PLATFORM_ADMIN)
                audit.record(actor=None, action="account.create", target=user)
                audit.record(actor=None, action="role.assign", target=role)
        except ValidationError as exc:
            raise CommandError(describe_validation_error(exc)) from None

        self.stdout.write(self.style.SUCCESS(f"Created platform admin {username}."))
        return None
