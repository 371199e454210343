"""A client's phones, e-mails, messengers, addresses, consents and (for people) the
companies they work at. Each row belongs to the client's workspace and is seen through
the client's owner."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import WorkspaceModel


class ClientPart(WorkspaceModel):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, verbose_name=_("client"))

    access_module = "clients"
    owner_field = "client__owner"

    class Meta:
        abstract = True


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", pgettext_lazy("kind of phone, e-mail or address", "Work")
    HOME = "home", pgettext_lazy("kind of phone, e-mail or address", "Home")
    FAX = "fax", _("Fax")
    OTHER = "other", _("Other")


class ClientPhone(ClientPart):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="phones", verbose_name=_("client")
    )
    number = models.CharField(_("number"), max_length=20, help_text=_("E.164, e.g. +79161234567."))
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=PhoneKind.choices, default=PhoneKind.WORK)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["workspace", "number"], name="clients_phone_ws_number")]

    def __str__(self) -> str:
        return self.number


class EmailKind(models.TextChoices):
    WORK = "work", pgettext_lazy("kind of phone, e-mail or address", "Work")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


class ClientEmail(ClientPart):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="emails", verbose_name=_("client")
    )
    email = models.CharField(_("e-mail"), max_length=254)
    kind = models.CharField(_("kind"), max_length=8, choices=EmailKind.choices, default=EmailKind.WORK)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["workspace", "email"], name="clients_email_ws_email")]

    def __str__(self) -> str:
        return self.email


class MessengerKind(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    VIBER = "viber", "Viber"
    VK = "vk", _("VK")
    SKYPE = "skype", "Skype"
    OTHER = "other", _("Other")


class ClientMessenger(ClientPart):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="messengers", verbose_name=_("client")
    )
    kind = models.CharField(_("messenger"), max_length=10, choices=MessengerKind.choices)
    handle = models.CharField(_("account"), max_length=100)

    class Meta:
        verbose_name = _("messenger")
        verbose_name_plural = _("messengers")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.handle}"


class AddressKind(models.TextChoices):
    LEGAL = "legal", _("Legal")
    ACTUAL = "actual", _("Actual")
    POSTAL = "postal", _("Postal")
    DELIVERY = "delivery", _("Delivery")
    HOME = "home", pgettext_lazy("kind of phone, e-mail or address", "Home")


class ClientAddress(ClientPart):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="addresses", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AddressKind.choices, default=AddressKind.ACTUAL)
    country = models.CharField(_("country"), max_length=2, default="RU", help_text=_("ISO code, e.g. RU."))
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    street = models.CharField(_("street, building, office"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.postcode, self.region, self.city, self.street] if p)


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone calls")
    MESSENGER = "messenger", _("Messengers")
    POST = "post", _("Post")


class Consent(ClientPart):
    """Consent to mailings on one channel, with when and how it was given or withdrawn."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="consents", verbose_name=_("client")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    changed_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=150, blank=True, help_text=_("E.g. web form, paper, call."))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [models.UniqueConstraint(fields=["client", "channel"], name="clients_consent_unique")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.granted}"


class Employment(WorkspaceModel):
    """A person working at a company, with a job title in each."""

    person = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="employments", verbose_name=_("person")
    )
    company = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="staff", verbose_name=_("company")
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=150, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    access_module = "clients"
    owner_field = "person__owner"

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [models.UniqueConstraint(fields=["person", "company"], name="clients_employment_unique")]
        indexes = [models.Index(fields=["workspace", "company"], name="clients_employment_ws_company")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.company_id}"
