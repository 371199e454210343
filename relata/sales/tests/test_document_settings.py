"""Document templates and seller details: the services' rules (and that a refusal writes
nothing), the pages (with the PDF preview) and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from relata.core.models import Event, Membership
from relata.sales.models import DocumentTemplate, SellerDetails
from relata.sales.services.document_render import builtin_template, render_html, sample_context, template_source
from relata.sales.services.document_settings import (
    document_template_reset,
    document_template_save,
    seller_details_save,
)

SIMPLE = "<h1>{{ document.title }} № {{ document.number }}</h1><p>{{ seller.legal_name }}</p>"
BROKEN = "<h1>{% if document.number %}{{ document.title }}</h1>"  # the {% if %} is never closed
SELLER = {
    "legal_name": "ООО «Кирпичный двор»",
    "inn": "7707 083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "address": "Москва, ул. Вавилова, 19",
    "phone": "+7 495 500-55-50",
    "email": "Info@Example.com",
    "bank_name": "ПАО Сбербанк",
    "bik": "044525225",
    "account": "40702810938000012345",
    "correspondent_account": "30101810400000000225",
    "director": "Иванов И. И.",
    "accountant": "Петрова А. А.",
}


def events(prefix: str) -> int:
    return Event.objects.filter(kind__startswith=prefix).count()


def error_of(raised: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(raised.value.message_dict[field])


# --- Templates: services -------------------------------------------------------------


def test_saving_a_template_makes_it_the_workspaces_own_until_reset(personas):
    admin = personas.admin
    workspace_id = admin.workspace_id
    assert template_source(workspace_id, "invoice") == builtin_template("invoice")
    saved = document_template_save(admin, "invoice", SIMPLE.replace("\n", "\r\n"))
    assert saved.changed_by == admin.user and saved.kind == "invoice"
    assert template_source(workspace_id, "invoice") == SIMPLE
    assert template_source(personas.other.workspace_id, "invoice") == builtin_template("invoice")
    event = Event.objects.get(kind="document_template.saved")
    assert event.data == {"kind": "invoice", "was_builtin": True, "characters": len(SIMPLE)}

    document_template_save(admin, "invoice", SIMPLE)  # the same text: nothing to record
    assert events("document_template.saved") == 1
    changed = document_template_save(personas.admin, "invoice", SIMPLE + "<p>{{ buyer.name }}</p>")
    assert changed.pk == saved.pk and DocumentTemplate.objects.count() == 1
    assert events("document_template.saved") == 2

    document_template_reset(admin, "invoice")
    assert not DocumentTemplate.objects.exists()
    assert template_source(workspace_id, "invoice") == builtin_template("invoice")
    assert Event.objects.get(kind="document_template.reset").data["kind"] == "invoice"
    document_template_reset(admin, "invoice")  # already the built-in one
    assert events("document_template.reset") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BROKEN, "The template has an error"),
        ("{{ lines|no_such_filter }}", "The template has an error"),
        ("", "Enter the template."),
        ("   \n", "Enter the template."),
        # Nothing can be loaded from disk or from tag libraries.
        ('{% include "web/base.html" %}', "The template fails on a sample document"),
        ('{% include "/etc/passwd" %}', "The template fails on a sample document"),
        ('{% extends "web/base.html" %}', "The template fails on a sample document"),
        ("{% load static %}{% static 'x.css' %}", "The template has an error"),
        ("{% load i18n %}", "The template has an error"),
        ("{{ seller.legal_name.__class__ }}", "may not begin with underscores"),
    ],
)
def test_a_template_that_does_not_work_is_refused_and_nothing_is_saved(personas, body, message):
    admin = personas.admin
    with pytest.raises(ValidationError) as raised:
        document_template_save(admin, "act", body)
    assert message in error_of(raised, "body")
    assert not DocumentTemplate.objects.exists() and events("document_template.") == 0


def test_a_broken_change_leaves_the_saved_template_as_it_was(personas):
    admin = personas.admin
    document_template_save(admin, "act", SIMPLE)
    with pytest.raises(ValidationError) as raised:
        document_template_save(admin, "act", BROKEN)
    assert "endif" in error_of(raised, "body")  # the engine's own words say what is missing
    assert DocumentTemplate.objects.get().body == SIMPLE and events("document_template.saved") == 1


def test_a_template_reaches_only_the_documents_data(personas):
    """What is not in the document's data prints nothing: no settings, no request, no user."""
    admin = personas.admin
    body = "[{{ settings.SECRET_KEY }}{{ request.user }}{{ user.email }}{{ csrf_token }}]"
    document_template_save(admin, "quote", body)
    assert render_html(template_source(admin.workspace_id, "quote"), sample_context()) == "[]"


def test_an_unknown_kind_is_refused(personas):
    with pytest.raises(ValidationError) as raised:
        document_template_save(personas.admin, "receipt", SIMPLE)
    assert "quote, invoice, contract, act, waybill" in error_of(raised, "kind")
    with pytest.raises(ValidationError):
        document_template_reset(personas.admin, "receipt")


@pytest.mark.parametrize("persona", ["head", "manager1", "readonly"])
def test_only_administrators_change_templates_and_seller_details(personas, persona):
    admin = personas.admin
    document_template_save(admin, "invoice", SIMPLE)
    member: Membership = getattr(personas, persona)
    with pytest.raises(PermissionDenied):
        document_template_save(member, "invoice", SIMPLE + "!")
    with pytest.raises(PermissionDenied):
        document_template_reset(member, "invoice")
    with pytest.raises(PermissionDenied):
        seller_details_save(member, SELLER)
    assert DocumentTemplate.objects.get().body == SIMPLE and not SellerDetails.objects.exists()


def test_with_sales_switched_off_the_settings_do_not_exist(personas):
    admin = personas.admin
    workspace = admin.workspace
    workspace.enabled_modules = [m for m in workspace.enabled_modules if m != "sales"]
    workspace.save(update_fields=["enabled_modules"])
    with pytest.raises(Http404):
        document_template_save(admin, "invoice", SIMPLE)
    with pytest.raises(Http404):
        seller_details_save(admin, SELLER)


# --- Seller details: services --------------------------------------------------------


def test_seller_details_are_saved_once_per_workspace_with_their_changes_recorded(personas):
    admin = personas.admin
    details = seller_details_save(admin, SELLER)
    assert (details.inn, details.email, details.phone) == ("7707083893", "info@example.com", "+7 495 500-55-50")
    created = Event.objects.get(kind="seller_details.saved")
    assert created.changes["legal_name"] == ["", "ООО «Кирпичный двор»"] and created.changes["inn"][1] == "7707083893"
    again = seller_details_save(admin, {"director": "Сидоров С. С."})
    assert again.pk == details.pk and SellerDetails.objects.count() == 1
    assert again.legal_name == SELLER["legal_name"] and again.director == "Сидоров С. С."
    changed = Event.objects.filter(kind="seller_details.saved").order_by("-id").first()
    assert changed is not None and changed.changes == {"director": ["Иванов И. И.", "Сидоров С. С."]}
    seller_details_save(admin, {"director": "Сидоров С. С."})  # nothing changes: no event
    assert events("seller_details.") == 2
    seller_details_save(personas.other, {"legal_name": "Beta Steel LLC"})
    assert SellerDetails.objects.count() == 2


def test_every_refused_seller_field_is_named_at_once_and_nothing_is_saved(personas):
    wrong = {
        **SELLER,
        "legal_name": "  ",
        "inn": "7707083890",
        "kpp": "77360100",
        "ogrn": "1027700132190",
        "email": "info@",
        "phone": "12",
        "bik": "04452522",
        "account": "4070281093800001234",
        "correspondent_account": "3010181040000000022x",
        "director": "Я" * 201,
    }
    with pytest.raises(ValidationError) as raised:
        seller_details_save(personas.admin, wrong)
    errors = raised.value.message_dict
    assert set(errors) == {
        "legal_name",
        "inn",
        "kpp",
        "ogrn",
        "email",
        "phone",
        "bik",
        "account",
        "correspondent_account",
        "director",
    }
    assert errors["legal_name"] == ["Enter the seller's legal name."]
    assert "check digits do not match" in errors["inn"][0] and "9 characters" in errors["kpp"][0]
    assert errors["bik"] == ["A BIK has 9 digits."] and errors["account"] == ["A settlement account has 20 digits."]
    assert not SellerDetails.objects.exists() and events("seller_details.") == 0


def test_the_accounts_are_checked_against_the_bik(personas):
    admin = personas.admin
    with pytest.raises(ValidationError) as raised:
        seller_details_save(
            admin, {**SELLER, "account": "40702810038000012345", "correspondent_account": "30101810400000000226"}
        )
    assert raised.value.message_dict == {
        "account": ["The settlement account does not match the BIK: check both numbers."],
        "correspondent_account": ["The correspondent account does not match the BIK: check both numbers."],
    }
    # Another bank: the same accounts no longer match its BIK.
    with pytest.raises(ValidationError) as raised:
        seller_details_save(admin, {**SELLER, "bik": "044525974"})
    assert set(raised.value.message_dict) == {"account", "correspondent_account"}
    assert not SellerDetails.objects.exists()
    assert seller_details_save(admin, {**SELLER, "bik": "044525974", "account": "", "correspondent_account": ""})


def test_an_existing_seller_detail_is_not_changed_by_a_refused_save(personas):
    admin = personas.admin
    seller_details_save(admin, SELLER)
    with pytest.raises(ValidationError):
        seller_details_save(admin, {"director": "Новый", "inn": "123"})
    assert SellerDetails.objects.get().director == "Иванов И. И."
    with pytest.raises(ValidationError) as raised:
        seller_details_save(admin, {"workspace": 5})
    assert "workspace" in raised.value.message_dict


# --- Pages ---------------------------------------------------------------------------


def test_the_templates_page_shows_which_kinds_are_built_in(personas, client_as):
    admin = personas.admin
    document_template_save(admin, "contract", SIMPLE)
    page = client_as(admin).get("/sales/settings/documents/templates/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="document-template-row"') == 5
    assert body.count('data-testid="document-template-builtin"') == 4
    assert "by Alice Admin on" in body and "Contract" in body and "Waybill" in body
    assert 'class="nav-link active" href="/sales/settings/documents/templates/"' in body


def test_edit_a_template_on_its_page_then_reset_it(personas, client_as):
    admin = personas.admin
    client = client_as(admin)
    page = client.get("/sales/settings/documents/templates/invoice/")
    body = page.content.decode()
    assert page.status_code == 200 and "The built-in template is in use" in body
    assert "correspondent_account" in body and "vat_amount" in body and "in_words" in body
    assert "seller.legal_name" in body and 'data-testid="document-template-reset"' not in body
    response = client.post("/sales/settings/documents/templates/invoice/", {"body": SIMPLE})
    assert response.status_code == 302 and response["Location"] == "/sales/settings/documents/templates/invoice/"
    assert DocumentTemplate.objects.get(kind="invoice").body == SIMPLE
    edited = client.get(response["Location"]).content.decode()
    assert "The template has been saved" in edited and 'data-testid="document-template-reset"' in edited
    assert "last edited by Alice Admin" in edited
    response = client.post("/sales/settings/documents/templates/invoice/reset/")
    assert response.status_code == 302 and not DocumentTemplate.objects.exists()
    assert "The built-in template is used again" in client.get(response["Location"]).content.decode()


def test_a_broken_template_is_shown_back_with_the_error_and_not_saved(personas, client_as):
    client = client_as(personas.admin)
    response = client.post("/sales/settings/documents/templates/act/", {"body": BROKEN})
    assert response.status_code == 400
    assert "The template has an error" in str(response.context["form"].errors["body"])
    assert response.context["form"]["body"].value() == BROKEN  # the text comes back to be corrected
    assert not DocumentTemplate.objects.exists()


def test_the_preview_is_a_pdf_of_the_posted_template_on_sample_data(personas, client_as):
    client = client_as(personas.admin)
    response = client.post("/sales/settings/documents/templates/quote/preview/", {"body": SIMPLE})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline") and response.content.startswith(b"%PDF")
    assert not DocumentTemplate.objects.exists()  # a preview saves nothing
    current = client.get("/sales/settings/documents/templates/waybill/preview/")
    assert current.status_code == 200 and current.content.startswith(b"%PDF")
    broken = client.post("/sales/settings/documents/templates/quote/preview/", {"body": BROKEN})
    assert broken.status_code == 400 and broken["Content-Type"].startswith("text/html")
    assert "The template has an error" in str(broken.context["form"].errors["body"])
    included = client.post("/sales/settings/documents/templates/quote/preview/", {"body": '{% include "x.html" %}'})
    assert included.status_code == 400


def test_template_pages_of_an_unknown_kind_do_not_exist(personas, client_as):
    client = client_as(personas.admin)
    assert client.get("/sales/settings/documents/templates/receipt/").status_code == 404
    assert client.post("/sales/settings/documents/templates/receipt/reset/").status_code == 404
    assert client.get("/sales/settings/documents/templates/receipt/preview/").status_code == 404


def test_the_pages_are_the_administrators(personas, client_as):
    client = client_as(personas.head)
    for url in (
        "/sales/settings/documents/templates/",
        "/sales/settings/documents/templates/invoice/",
        "/sales/settings/documents/templates/invoice/preview/",
        "/sales/settings/documents/seller/",
    ):
        assert client.get(url).status_code == 403
    assert client.post("/sales/settings/documents/templates/invoice/", {"body": SIMPLE}).status_code == 403
    assert client.post("/sales/settings/documents/seller/", SELLER).status_code == 403
    assert not DocumentTemplate.objects.exists() and not SellerDetails.objects.exists()


def test_seller_details_on_their_page(personas, client_as):
    client = client_as(personas.admin)
    page = client.get("/sales/settings/documents/seller/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="seller-details-unsaved"' in body and "Alpha Bricks" in body
    assert "INN" in body and "Correspondent account" in body
    refused = client.post("/sales/settings/documents/seller/", {**SELLER, "inn": "123", "bik": "x"})
    errors = refused.context["form"].errors
    assert refused.status_code == 400 and set(errors) == {"inn", "bik"}
    assert not SellerDetails.objects.exists()
    response = client.post("/sales/settings/documents/seller/", SELLER)
    assert response.status_code == 302 and response["Location"] == "/sales/settings/documents/seller/"
    saved = client.get(response["Location"]).content.decode()
    assert "The seller details have been saved" in saved and 'data-testid="seller-details-unsaved"' not in saved
    assert SellerDetails.objects.get().inn == "7707083893"


# --- API -----------------------------------------------------------------------------


def test_api_reads_saves_and_resets_templates(personas, api_as):
    api = api_as(personas.admin)
    listed = api.get("/api/v1/document-templates").json()
    assert [t["kind"] for t in listed] == ["quote", "invoice", "contract", "act", "waybill"]
    assert all(t["is_builtin"] and t["changed_by_id"] is None for t in listed)
    assert listed[1]["label"] == "Invoice" and listed[1]["body"] == builtin_template("invoice")
    saved = api.put("/api/v1/document-templates/invoice", {"body": SIMPLE})
    body = saved.json()
    assert saved.status_code == 200 and not body["is_builtin"] and body["body"] == SIMPLE
    assert body["changed_by_id"] == personas.admin.user_id and body["updated_at"]
    assert api.get("/api/v1/document-templates/invoice").json()["body"] == SIMPLE
    other = api_as(personas.other).get("/api/v1/document-templates/invoice").json()
    assert other["is_builtin"] and other["body"] == builtin_template("invoice")
    assert api.delete("/api/v1/document-templates/invoice").status_code == 204
    assert api.get("/api/v1/document-templates/invoice").json()["is_builtin"] is True


def test_api_refuses_a_broken_template_in_the_error_shape(personas, api_as):
    api = api_as(personas.admin)
    refused = api.put("/api/v1/document-templates/act", {"body": BROKEN})
    error = refused.json()["error"]
    assert refused.status_code == 422 and error["code"] == "validation_error"
    assert "The template has an error" in error["fields"]["body"][0] and error["message"] == error["fields"]["body"][0]
    assert api.put("/api/v1/document-templates/receipt", {"body": SIMPLE}).status_code == 404
    assert api.get("/api/v1/document-templates/receipt").status_code == 404
    assert not DocumentTemplate.objects.exists()


def test_api_seller_details(personas, api_as):
    api = api_as(personas.admin)
    default = api.get("/api/v1/seller-details").json()
    assert default["is_saved"] is False and default["legal_name"] == "Alpha Bricks" and default["inn"] == ""
    refused = api.put("/api/v1/seller-details", {**SELLER, "kpp": "12", "account": "1"})
    assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"kpp", "account"}
    assert not SellerDetails.objects.exists()
    saved = api.put("/api/v1/seller-details", SELLER).json()
    assert saved["is_saved"] and saved["inn"] == "7707083893" and saved["email"] == "info@example.com"
    # PUT replaces all of them: a field left out is saved empty.
    replaced = api.put("/api/v1/seller-details", {"legal_name": "ИП Петров"}).json()
    assert replaced["legal_name"] == "ИП Петров" and replaced["inn"] == "" and replaced["bik"] == ""
    assert api_as(personas.other).get("/api/v1/seller-details").json()["legal_name"] == "Beta Steel"


def test_api_is_the_administrators(personas, api_as):
    api = api_as(personas.manager1)
    assert api.get("/api/v1/document-templates").status_code == 403
    assert api.put("/api/v1/document-templates/invoice", {"body": SIMPLE}).status_code == 403
    assert api.delete("/api/v1/document-templates/invoice").status_code == 403
    assert api.get("/api/v1/seller-details").status_code == 403
    assert api.put("/api/v1/seller-details", SELLER).status_code == 403
    assert not DocumentTemplate.objects.exists() and not SellerDetails.objects.exists()
