"""Web forms: the public endpoint (key, honeypot, rate limit, validation, UTM tags,
known clients, assignment rules) and the administration pages and API."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as Browser
from django.urls import reverse

from relata.clients.models import ClientKind
from relata.clients.services.assignment import assignment_rule_create
from relata.clients.services.clients import client_create
from relata.core.models import Event
from relata.sales.models import Lead, LeadSource, WebForm
from relata.sales.services.webforms import webform_create, webform_regenerate_key, webform_update


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The rate-limit counters live in the cache: every test starts with none.
    cache.clear()
    yield
    cache.clear()


def _form(personas, **values) -> WebForm:
    return webform_create(
        personas.admin,
        values={
            "name": "Contact us",
            "fields": ["contact_name", "company_name", "phone", "email", "message"],
            "default_campaign": "Spring",
            "default_channel": "site",
            "default_owner": personas.manager1.user_id,
            **values,
        },
    )


def _post(form_key: str, data: dict, *, ip: str = "198.51.100.7", as_json: bool = True, **headers):
    url = reverse("sales:webform_submit", args=[form_key])
    browser = Browser(REMOTE_ADDR=ip)
    if as_json:
        return browser.post(url, json.dumps(data), content_type="application/json", headers=headers)
    return browser.post(url, data, headers=headers)


INN_IGNORED = "7707083893"
GOOD = {"contact_name": "Ольга", "phone": "8 916 123-45-67", "email": "Olga@Example.com", "message": "Перезвоните"}


def test_a_post_creates_a_lead_with_source_channel_campaign_and_utm(personas):
    form = _form(personas)
    answer = _post(form.key, {**GOOD, "utm_source": "yandex", "utm_medium": "cpc", "inn": INN_IGNORED})
    assert answer.status_code == 201, answer.content
    assert answer.json()["ok"] is True
    lead = Lead.objects.get()
    assert (lead.source, lead.channel, lead.campaign) == (LeadSource.WEB_FORM, "site", "Spring")
    assert (lead.utm_source, lead.utm_medium) == ("yandex", "cpc")
    assert (lead.phone, lead.email, lead.web_form_id) == ("+79161234567", "olga@example.com", form.pk)
    assert lead.inn == ""  # a field the form does not show is ignored
    assert lead.owner_id == personas.manager1.user_id and lead.created_by_id is None
    event = Event.objects.get(kind="lead.created", target_id=lead.pk)
    assert event.actor_id is None and "Contact us" in event.actor_label


def test_utm_tags_come_from_the_referer_when_not_posted(personas):
    form = _form(personas)
    answer = _post(form.key, GOOD, Referer="https://site.example/?utm_source=vk&utm_campaign=may")
    assert answer.status_code == 201
    lead = Lead.objects.get()
    assert (lead.utm_source, lead.utm_campaign) == ("vk", "may")


def test_a_plain_html_post_goes_to_the_thank_you_page(personas):
    form = _form(personas, redirect_url="https://site.example/thanks")
    answer = _post(form.key, GOOD, as_json=False)
    assert answer.status_code == 303 and answer["Location"] == "https://site.example/thanks"
    assert Lead.objects.count() == 1
    without = _form(personas, name="No thanks page")
    assert _post(without.key, {**GOOD, "phone": "+79161234568"}, as_json=False).status_code == 201


@pytest.mark.parametrize("key", ["", "no-such-key", "x" * 100])
def test_a_missing_or_wrong_key_is_not_found(personas, key):
    _form(personas)
    url = reverse("sales:webform_submit", args=[key]) if key else reverse("sales:webform_submit_without_key")
    answer = Browser().post(url, GOOD)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert not Lead.objects.exists()


def test_an_inactive_form_or_an_old_key_is_not_found(personas):
    form = _form(personas)
    old_key = form.key
    form = webform_regenerate_key(personas.admin, form.pk, version=form.version)
    assert form.key != old_key
    assert _post(old_key, GOOD).status_code == 404
    webform_update(personas.admin, form.pk, version=form.version, values={"is_active": False})
    assert _post(form.key, GOOD).status_code == 404
    assert not Lead.objects.exists()


def test_the_honeypot_refuses_neutrally_and_writes_nothing(personas, caplog):
    form = _form(personas)
    events = Event.objects.count()
    with caplog.at_level(logging.WARNING, logger="relata.sales.services.webforms"):
        answer = _post(form.key, {**GOOD, "website": "http://spam.example"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "rejected" and "spam" not in answer.json()["error"]["message"].lower()
    assert "honeypot" in caplog.text
    assert not Lead.objects.exists() and Event.objects.count() == events


def test_too_many_posts_a_minute_from_one_address(personas):
    form = _form(personas, rate_limit=2)
    assert _post(form.key, GOOD).status_code == 201
    assert _post(form.key, {**GOOD, "phone": "+79161234568"}).status_code == 201
    third = _post(form.key, {**GOOD, "phone": "+79161234569"})
    assert third.status_code == 429 and int(third["Retry-After"]) >= 1
    assert third.json()["error"]["code"] == "rate_limited"
    assert Lead.objects.count() == 2
    # Another address has its own count.
    assert _post(form.key, {**GOOD, "phone": "+79161234560"}, ip="203.0.113.9").status_code == 201


def test_invalid_fields_are_named_and_nothing_is_written(personas):
    form = _form(personas)
    answer = _post(form.key, {"contact_name": "Ольга", "phone": "12", "email": "not-an-address"})
    assert answer.status_code == 400
    assert {"phone", "email"} <= set(answer.json()["error"]["fields"])
    empty = _post(form.key, {"contact_name": "Ольга"})
    assert empty.status_code == 400 and "phone" in empty.json()["error"]["fields"]
    long_name = _post(form.key, {**GOOD, "contact_name": "я" * 201})
    assert long_name.status_code == 400 and "contact_name" in long_name.json()["error"]["fields"]
    not_object = Browser().post(
        reverse("sales:webform_submit", args=[form.key]), "[1, 2]", content_type="application/json"
    )
    assert not_object.status_code == 400
    broken = Browser().post(reverse("sales:webform_submit", args=[form.key]), "{", content_type="application/json")
    assert broken.status_code == 400
    assert not Lead.objects.exists()


def test_only_allowed_sites_may_post(personas):
    form = _form(personas, allowed_origins="https://site.example\nhttps://shop.example")
    refused = _post(form.key, GOOD, Origin="https://evil.example")
    assert refused.status_code == 403 and not Lead.objects.exists()
    allowed = _post(form.key, GOOD, Origin="https://shop.example")
    assert allowed.status_code == 201 and allowed["Access-Control-Allow-Origin"] == "https://shop.example"


def test_get_is_not_allowed(personas):
    form = _form(personas)
    assert Browser().get(reverse("sales:webform_submit", args=[form.key])).status_code == 405


def test_a_web_form_lead_of_a_known_client_is_linked(personas):
    known = client_create(
        personas.manager2, kind=ClientKind.PERSON, values={"name": "Ольга", "phones": ["+7 (916) 123-45-67"]}
    )
    form = _form(personas)
    assert _post(form.key, {"contact_name": "Ольга", "phone": "89161234567"}).status_code == 201
    assert Lead.objects.get().client_id == known.pk


def test_assignment_rules_choose_the_owner_else_the_default_owner(personas):
    form = _form(personas)
    assert _post(form.key, GOOD).status_code == 201
    assert Lead.objects.get().owner_id == personas.manager1.user_id
    assignment_rule_create(
        personas.admin, name="Всё — Максу", manager_ids=[personas.manager2.user_id], entity=ClientKind.PERSON
    )
    assert _post(form.key, {**GOOD, "phone": "+79161234568"}).status_code == 201
    assert Lead.objects.latest("pk").owner_id == personas.manager2.user_id
    # A company's request does not match a rule for people.
    assert _post(form.key, {**GOOD, "company_name": "ООО Двор", "phone": "+79161234569"}).status_code == 201
    assert Lead.objects.latest("pk").owner_id == personas.manager1.user_id


# --- Administration -----------------------------------------------------------------------


def test_only_administrators_manage_web_forms(personas):
    for member in (personas.head, personas.manager1, personas.readonly):
        with pytest.raises(PermissionDenied):
            webform_create(member, values={"name": "x"})
    assert not WebForm.objects.exists()


def test_bad_settings_are_named(personas):
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x", "fields": ["contact_name", "message"]}, "fields"),
        ({"name": "x", "fields": ["password"]}, "fields"),
        ({"name": "x", "allowed_origins": "site.example/path"}, "allowed_origins"),
        ({"name": "x", "rate_limit": 0}, "rate_limit"),
        ({"name": "x", "redirect_url": "javascript:alert(1)"}, "redirect_url"),
        ({"name": "x", "default_owner": personas.other.user_id}, "default_owner"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as caught:
            webform_create(personas.admin, values=values)
        assert field in caught.value.message_dict, values
    assert not WebForm.objects.exists()


def test_admin_pages_show_the_embed_code(personas):
    browser = Browser()
    browser.force_login(personas.admin.user)
    created = browser.post(
        reverse("sales:webform_new"),
        {
            "name": "Заявка",
            "fields_shown": ["contact_name", "phone"],
            "default_source": "web_form",
            "default_owner": personas.manager1.user_id,
            "is_active": "on",
            "rate_limit": 5,
        },
    )
    form = WebForm.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("sales:webform_edit", args=[form.pk])
    page = browser.get(reverse("sales:webform_edit", args=[form.pk]))
    assert page.status_code == 200
    assert reverse("sales:webform_submit", args=[form.key]) in page.text
    assert "name=&quot;website&quot;" in page.text and "name=&quot;utm_source&quot;" in page.text
    assert browser.get(reverse("sales:webforms")).status_code == 200
    old = form.key
    browser.post(reverse("sales:webform_regenerate", args=[form.pk]), {"version": form.version})
    form.refresh_from_db()
    assert form.key != old
    browser.post(reverse("sales:webform_delete", args=[form.pk]))
    assert not WebForm.objects.exists()
    manager = Browser()
    manager.force_login(personas.manager1.user)
    assert manager.get(reverse("sales:webforms")).status_code == 403


def test_web_forms_api(personas, api_as):
    api = api_as(personas.admin)
    created = api.post("/api/v1/web-forms", {"name": "API form", "fields": ["email", "message"], "rate_limit": 3})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["default_owner_id"] == personas.admin.user_id and body["key"]
    renewed = api.post(f"/api/v1/web-forms/{body['id']}/regenerate-key", {"version": 1})
    assert renewed.status_code == 200 and renewed.json()["key"] != body["key"]
    stale = api.patch(f"/api/v1/web-forms/{body['id']}", {"version": 1, "name": "x"})
    assert stale.status_code == 409
    assert api_as(personas.manager1).get("/api/v1/web-forms").status_code == 403
