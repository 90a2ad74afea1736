"""Helpers shared by Linju's own management commands."""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, ``field: message``, for a person reading a terminal."""
    if hasattr(exc, "error_dict"):
        lines: list[str] = []
        for field, messages in exc.message_dict.items():
            prefix = "" if field == "__all__" else f"{field}: "
            lines.extend(prefix + message for message in messages)
        return "\n".join(lines)
    return "\n".join(exc.messages)


def read_password(
    options: dict[str, Any], *, value: str, from_stdin: str, what: str = "password"
) -> str:
    """The password from ``--<value>``, one line of stdin (``--<from_stdin>``), or a prompt."""
    if options.get(value):
        return str(options[value])
    stdin: TextIO = options.get("stdin") or sys.stdin
    if options.get(from_stdin):
        password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(f"No {what} was given on standard input.")
        return password
    if stdin.isatty():
        first = getpass.getpass(f"{what.capitalize()}: ")
        second = getpass.getpass(f"{what.capitalize()} (again): ")
        if first != second:
            raise CommandError(f"The two {what}s differ.")
        if not first:
            raise CommandError(f"The {what} cannot be empty.")
        return first
    flag_value = "--" + value.replace("_", "-")
    flag_stdin = "--" + from_stdin.replace("_", "-")
    raise CommandError(f"Give the {what} with {flag_stdin} (or {flag_value}).")
