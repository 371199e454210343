from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from relata.core.audit import diff, record_event, snapshot
from relata.core.errors import invalid
from relata.core.models import Membership, User

PROFILE_FIELDS = ["full_name", "language", "time_zone"]


def _check_time_zone(name: str) -> str:
    name = name.strip()
    if name and name not in zoneinfo.available_timezones():
        raise invalid(
            "time_zone", _("Unknown time zone “%(name)s”; use a name such as Europe/Moscow.") % {"name": name}
        )
    return name


def user_set_language(user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise invalid("language", _("Choose Russian or English."))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


@transaction.atomic
def user_update_profile(actor: Membership, *, full_name: str, language: str, time_zone: str = "") -> User:
    """The member's own name, language and time zone."""
    user = User.objects.select_for_update().get(pk=actor.user_id)
    full_name = full_name.strip()
    if not full_name:
        raise invalid("full_name", _("Enter your full name."))
    if language and language not in dict(settings.LANGUAGES):
        raise invalid("language", _("Choose Russian or English."))
    before = snapshot(user, PROFILE_FIELDS)
    user.full_name = full_name[:150]
    user.language = language
    user.time_zone = _check_time_zone(time_zone)
    user.save(update_fields=PROFILE_FIELDS)
    changes = diff(before, snapshot(user, PROFILE_FIELDS))
    if changes:
        record_event(kind="member.changed", workspace=actor.workspace, actor=user, target=actor, changes=changes)
    actor.user = user
    return user
