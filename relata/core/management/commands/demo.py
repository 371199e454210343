from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relata.core.demo import DEMO_PASSWORD, DEMO_USERS, create_demo_workspace
from relata.core.roles_builtin import BUILTIN_ROLES


class Command(BaseCommand):
    help = "Create the demo workspace (if missing) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = create_demo_workspace()
        role_names = {role.key: str(role.name) for role in BUILTIN_ROLES}
        self.stdout.write(self.style.SUCCESS(f"Demo workspace: {workspace.name}"))
        self.stdout.write(f"Log in at http://127.0.0.1:8000/login/ with password {DEMO_PASSWORD!r} as:")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email:<32} {role_names[user.role]}" + (f" ({user.team})" if user.team else ""))
