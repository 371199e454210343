"""The client card and the create/edit form, as a user fills them in."""

from __future__ import annotations

import re
from urllib.parse import unquote

from relata.clients.models import Client, ClientPhone
from relata.clients.services.clients import client_create, client_update
from relata.core.models import Event


def company_post(**extra):
    data = {
        "name": "ООО «Стройбаза»",
        "status": "",
        "inn": "7707083893",
        "tags": "опт, бетон",
        "source": "звонок",
        "phones-number": ["8 916 123 45 67", ""],
        "phones-extension": ["", ""],
        "phones-kind": ["mobile", "work"],
        "emails-email": ["Info@Stroibaza.Example"],
        "emails-kind": ["work"],
        "addresses-kind": ["legal"],
        "addresses-postcode": ["101000"],
        "addresses-region": ["Москва"],
        "addresses-city": ["Москва"],
        "addresses-street": ["Тверская, 1"],
        "addresses-country": ["RU"],
    }
    data.update(extra)
    return data


def test_create_a_company_in_the_form(personas, client_as):
    client = client_as(personas.manager1)
    page = client.get("/clients/companies/new/")
    assert page.status_code == 200 and 'data-testid="client-form"' in page.content.decode()
    status = re.search(r'<option value="(\d+)" selected>', page.content.decode()).group(1)
    response = client.post("/clients/companies/new/", company_post(status=status))
    assert response.status_code == 302, response.content.decode()[:2000]
    company = Client.objects.get()
    assert response["Location"] == f"/clients/{company.pk}/"
    assert (company.name, company.inn, company.primary_phone, company.primary_email, company.city) == (
        "ООО «Стройбаза»",
        "7707083893",
        "+79161234567",
        "info@stroibaza.example",
        "Москва",
    )
    assert sorted(company.tags.values_list("name", flat=True)) == ["бетон", "опт"]
    card = client.get(response["Location"]).content.decode()
    assert "+7 916 123-45-67" in card and "Тверская, 1" in card and "Client created" in card


def test_form_errors_are_shown_next_to_the_fields_and_rows(personas, client_as):
    client = client_as(personas.manager1)
    status = client_create(personas.manager1, kind="company", values={"name": "Seed"}).status_id
    response = client.post(
        "/clients/companies/new/",
        company_post(status=status, inn="1234567890", **{"phones-number": ["12", ""], "emails-email": ["nope"]}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_inn_errors"' in body and "check digits" in body
    assert "phones.0" in body and "emails.0" in body  # row errors for the rows' messages
    assert Client.objects.count() == 1 and ClientPhone.objects.count() == 0


def test_person_form_links_companies_and_builds_the_name(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "ООО Ромашка"})
    client = client_as(personas.manager1)
    response = client.post(
        "/clients/people/new/",
        {
            "status": company.status_id,
            "last_name": "Смирнов",
            "first_name": "Олег",
            "name": "",
            "companies-company": [str(company.pk)],
            "companies-job_title": ["Директор"],
            "companies-department": [""],
            "phones-number": ["+7 903 111 22 33"],
            "phones-extension": [""],
            "phones-kind": ["mobile"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    person = Client.objects.get(kind="person")
    assert person.name == "Смирнов Олег"
    card = client.get(f"/clients/{company.pk}/").content.decode()
    assert "Смирнов Олег" in card and "Директор" in card


def test_edit_with_a_stale_version_shows_the_other_change(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "ООО Север", "source": "сайт"})
    stale = company.version
    client_update(personas.head, company.pk, version=stale, values={"source": "выставка"})
    response = client_as(personas.manager1).post(
        f"/clients/{company.pk}/edit/",
        {"version": stale, "name": "ООО Север", "status": company.status_id, "source": "реклама"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "выставка" in body
    assert Client.objects.get(pk=company.pk).source == "выставка"


def test_edit_keeps_the_rows_the_user_did_not_touch(personas, client_as):
    company = client_create(
        personas.manager1,
        kind="company",
        values={"name": "ООО Запад", "phones": ["+7 916 000 00 01", "+7 916 000 00 02"]},
    )
    client = client_as(personas.manager1)
    page = client.get(f"/clients/{company.pk}/edit/").content.decode()
    assert "+7 916 000-00-01" in page and "+7 916 000-00-02" in page  # the rows come pre-filled, formatted
    response = client.post(
        f"/clients/{company.pk}/edit/",
        {
            "version": company.version,
            "name": "ООО Запад-2",
            "status": company.status_id,
            "phones-number": ["+79160000002", "+79160000001"],
            "phones-extension": ["", ""],
            "phones-kind": ["work", "work"],
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "ООО Запад-2" and company.primary_phone == "+79160000002"


def test_card_of_an_invisible_client_is_404_and_delete_needs_the_permission(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "ООО Тайна"})
    assert client_as(personas.manager2).get(f"/clients/{company.pk}/").status_code == 404
    assert client_as(personas.manager1).post(f"/clients/{company.pk}/delete/").status_code == 403
    response = client_as(personas.head).post(f"/clients/{company.pk}/delete/")
    assert response.status_code == 302 and not Client.objects.exists()
    assert Event.objects.filter(kind="client.deleted").exists()


def test_timeline_shows_changes_newest_first_and_pages(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "ООО Время"})
    version = company.version
    for n in range(30):
        version = client_update(personas.manager1, company.pk, version=version, values={"source": f"s{n}"}).version
    client = client_as(personas.manager1)
    card = client.get(f"/clients/{company.pk}/").content.decode()
    assert card.index("s29") < card.index("s28")
    assert "Client created" not in card  # on the second page
    before = re.search(r"before=([^&]+)&amp;", card).group(1)
    older = client.get(f"/clients/{company.pk}/timeline/", {"before": unquote(before)}, HTTP_HX_REQUEST="true")
    older = older.content.decode()
    assert "Client created" in older and "s29" not in older and 'data-testid="timeline-older"' not in older
    changes_only = client.get(f"/clients/{company.pk}/timeline/", {"kind": "changes", "author": personas.head.user_id})
    assert "Nothing has happened yet" in changes_only.content.decode()


def test_add_a_contact_person_from_the_company_card(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "ООО Прием"})
    page = client_as(personas.manager1).get(f"/clients/people/new/?company={company.pk}").content.decode()
    assert f'"companies": [{{"company": {company.pk}, ' in page  # the company row comes filled in
    hidden = client_create(personas.manager2, kind="company", values={"name": "Чужая"})
    page = client_as(personas.manager1).get(f"/clients/people/new/?company={hidden.pk}").content.decode()
    assert '"companies": []' in page
