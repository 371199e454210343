from django.db import models

from relata.core.models import OwnedModel


class Account(OwnedModel):
    name = models.CharField(max_length=100)

    access_module = "clients"

    def __str__(self) -> str:
        return self.name


class Opportunity(OwnedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    is_open = models.BooleanField(default=True)

    access_module = "sales"

    def __str__(self) -> str:
        return self.title
