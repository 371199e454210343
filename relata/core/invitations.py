"""The invitation letter: a link to set a password, valid as long as a password-reset link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from relata.core.models import Membership, User


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("core:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    base: str = settings.RELATA_BASE_URL
    return base.rstrip("/") + path


def send_invitation(membership: Membership, *, invited_by: User) -> None:
    """Send the letter once the transaction that added the member has committed."""

    def send() -> None:
        user = membership.user
        with translation.override(user.language or membership.workspace.language):
            context = {
                "user": user,
                "workspace": membership.workspace,
                "invited_by": invited_by,
                "link": invitation_link(user),
            }
            subject = render_to_string("core/auth/invitation_subject.txt", context).strip()
            body = render_to_string("core/auth/invitation_email.txt", context)
        send_mail(subject, body, None, [user.email])

    transaction.on_commit(send)
