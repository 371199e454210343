"""Clients: companies (B2B) and people (B2C clients and contact persons).

Both live in one table, `Client`, told apart by `kind`, so that deals, orders,
activities and tickets point at "the client" with one foreign key, and lists, search,
segments and the duplicate finder work over one index range per workspace at a million
rows. `Company` and `Person` are proxies that keep the code in the CRM's own words.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from relata.core.models import OwnedModel, VersionedModel, WorkspaceModel


class ClientKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class IncomeBracket(models.TextChoices):
    LOW = "low", _("Low")
    BELOW_AVERAGE = "below_average", _("Below average")
    AVERAGE = "average", _("Average")
    ABOVE_AVERAGE = "above_average", _("Above average")
    HIGH = "high", _("High")


class FamilyStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Attitude(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


BUILTIN_STATUSES: list[tuple[str, Any]] = [
    ("cold", _("Cold")),
    ("considering", _("Considering")),
    ("ready_to_buy", _("Ready to buy")),
    ("client", _("Client")),
    ("regular_client", _("Regular client")),
    ("inactive", _("Inactive")),
]
_BUILTIN_STATUS_NAMES = dict(BUILTIN_STATUSES)


class LifecycleStatus(WorkspaceModel, VersionedModel):
    """A stage of a client's life with the company; the list is the workspace's own."""

    key = models.SlugField(_("built-in key"), max_length=40, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("Empty: the built-in name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_default = models.BooleanField(_("for new clients"), default=False)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("A status taken out of use keeps its clients but is not offered.")
    )

    access_module = "clients"

    class Meta:
        verbose_name = _("lifecycle status")
        verbose_name_plural = _("lifecycle statuses")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], condition=~models.Q(key=""), name="clients_status_key_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"], condition=~models.Q(name=""), name="clients_status_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(_BUILTIN_STATUS_NAMES.get(self.key, self.key))


class Tag(WorkspaceModel):
    name = models.CharField(_("name"), max_length=50)

    access_module = "clients"

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="clients_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Client(OwnedModel, VersionedModel):
    kind = models.CharField(_("kind"), max_length=8, choices=ClientKind.choices)
    name = models.CharField(_("name"), max_length=255)
    status = models.ForeignKey(
        LifecycleStatus, on_delete=models.PROTECT, related_name="clients", verbose_name=_("status")
    )
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("How the client came to us."))
    tags = models.ManyToManyField(Tag, blank=True, related_name="clients", verbose_name=_("tags"))
    note = models.TextField(_("note"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    # Company profile.
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    activity = models.CharField(_("kind of activity"), max_length=255, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
        verbose_name=_("parent company"),
        limit_choices_to={"kind": ClientKind.COMPANY},
    )

    # Person profile.
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=150, blank=True)
    income_bracket = models.CharField(_("income"), max_length=16, choices=IncomeBracket.choices, blank=True)
    family_status = models.CharField(_("family status"), max_length=10, choices=FamilyStatus.choices, blank=True)
    preferences = models.TextField(_("preferences"), blank=True)
    attitude = models.CharField(_("attitude to the company"), max_length=10, choices=Attitude.choices, blank=True)

    # Kept by the services from the rows above, for lists, filters, search and the
    # duplicate finder at scale (one table, indexed, no joins).
    primary_phone = models.CharField(_("phone"), max_length=20, blank=True)
    primary_email = models.CharField(_("e-mail"), max_length=254, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    match_name = models.CharField(max_length=255, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    access_module: ClassVar[str | None] = "clients"

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [
            models.Index(fields=["workspace", "owner"], name="clients_client_ws_owner"),
            models.Index(fields=["workspace", "kind", "name"], name="clients_client_ws_kind_name"),
            models.Index(fields=["workspace", "status"], name="clients_client_ws_status"),
            models.Index(fields=["workspace", "inn"], name="clients_client_ws_inn"),
            models.Index(fields=["workspace", "match_name"], name="clients_client_ws_match"),
            models.Index(fields=["workspace", "city"], name="clients_client_ws_city"),
            models.Index(fields=["workspace", "-created_at"], name="clients_client_ws_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["company", "person"]), name="clients_client_kind"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(parent=models.F("id")),
                name="clients_client_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.kind == ClientKind.COMPANY

    @property
    def is_person(self) -> bool:
        return self.kind == ClientKind.PERSON
