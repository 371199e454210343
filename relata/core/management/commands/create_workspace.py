from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relata.core.services.workspaces import workspace_create


class Command(BaseCommand):
    help = "Create a workspace with the built-in roles and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The company's name.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--language", default="ru", choices=["ru", "en"])
        parser.add_argument("--time-zone", default="Europe/Moscow")
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="Do not ask for a password (the administrator uses “Forgot your password?”).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if not options["no_password"]:
            password = getpass.getpass("Administrator's password: ")
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        try:
            membership = workspace_create(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                admin_password=password,
                language=options["language"],
                time_zone=options["time_zone"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Workspace “{membership.workspace.name}” created; administrator {membership.user.email}."
            )
        )
