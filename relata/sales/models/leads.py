"""Leads: inbound requests not yet qualified, and the web forms that bring them in.

A lead keeps where it came from (source, channel, campaign, UTM tags) and, when its
phone, e-mail or INN belongs to a known client, a link to that client. Qualification
turns it into a client (and contact person) and a deal; rejection keeps the reason.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.clients.normalize import format_phone
from relata.core.models import OwnedModel, VersionedModel, WorkspaceModel

UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]
# The fields a web form may show to visitors, in the order they are shown.
WEBFORM_FIELDS: dict[str, object] = {
    "contact_name": _("Name"),
    "company_name": _("Company"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "inn": _("INN"),
    "message": _("Message"),
}
# The hidden field of the embed snippet: people never see it, bots fill it in.
HONEYPOT_FIELD = "website"


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    PHONE_CALL = "phone_call", _("Phone call")
    MESSENGER = "messenger", _("Messenger or social network")
    IMPORT = "import", pgettext_lazy("lead source", "Import")
    MANUAL = "manual", _("Typed in")
    API = "api", _("API")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead status", "New")
    IN_WORK = "in_work", pgettext_lazy("lead status", "In work")
    QUALIFIED = "qualified", pgettext_lazy("lead status", "Qualified")
    REJECTED = "rejected", pgettext_lazy("lead status", "Rejected")


# Reasons offered when rejecting; any other text may be typed instead.
REJECTION_REASONS = [
    _("Spam or a test"),
    _("Duplicate of another lead"),
    _("Not our product or service"),
    _("No budget"),
    _("Could not reach the contact"),
]


class WebForm(WorkspaceModel, VersionedModel):
    """A form on the company's site that creates leads through a public endpoint named
    by its key. Administered with `admin.change`."""

    name = models.CharField(_("name"), max_length=150)
    key = models.CharField(_("public key"), max_length=64, editable=False)
    fields = models.JSONField(_("fields to show"), default=list, blank=True)
    default_source = models.CharField(
        _("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.WEB_FORM
    )
    default_channel = models.CharField(_("channel"), max_length=100, blank=True)
    default_campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default owner"),
        help_text=_("Gets the leads no assignment rule gives to someone else."),
    )
    is_active = models.BooleanField(_("accepting submissions"), default=True)
    allowed_origins = models.JSONField(_("allowed sites"), default=list, blank=True)
    rate_limit = models.PositiveSmallIntegerField(_("submissions per minute from one address"), default=10)
    redirect_url = models.URLField(_("thank-you page"), max_length=500, blank=True)

    access_module: ClassVar[str | None] = "sales"

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "name"], name="sales_webform_ws_name")]
        constraints = [
            # The public endpoint finds the form by its key alone.
            models.UniqueConstraint(fields=["key"], name="sales_webform_key_unique"),
            models.CheckConstraint(condition=models.Q(rate_limit__gte=1), name="sales_webform_rate_limit"),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(OwnedModel, VersionedModel):
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +79161234567."))
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.MANUAL)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("qualified or rejected"), null=True, blank=True)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("client"),
    )
    deal = models.ForeignKey(
        "sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("deal")
    )
    web_form = models.ForeignKey(
        WebForm, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("web form")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    access_module: ClassVar[str | None] = "sales"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "owner"], name="sales_lead_ws_owner"),
            models.Index(fields=["workspace", "status", "-created_at"], name="sales_lead_ws_status"),
            models.Index(fields=["workspace", "phone"], name="sales_lead_ws_phone"),
            models.Index(fields=["workspace", "email"], name="sales_lead_ws_email"),
            models.Index(fields=["workspace", "client"], name="sales_lead_ws_client"),
        ]
        constraints = [
            # A rejected lead always says why.
            models.CheckConstraint(
                condition=~models.Q(status=LeadStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="sales_lead_rejected_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.contact_name or self.company_name or self.email or self.phone or f"#{self.pk}"

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in (LeadStatus.NEW, LeadStatus.IN_WORK)

    @property
    def utm(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UTM_FIELDS if getattr(self, name)}
