"""The API's one error shape, for every kind of bad request."""

from __future__ import annotations

from django.test import Client, override_settings

from relata.core.models import Event, Team


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def test_anonymous_gets_401_with_a_bearer_challenge(db):
    response = Client().get("/api/v1/me")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_or_revoked_token_gets_401(personas):
    response = Client().get("/api/v1/me", headers={"Authorization": "Bearer rl_not-a-real-token"})
    assert_error(response, 401, "not_authenticated")


def test_malformed_json_is_400_and_changes_nothing(personas, api_as):
    api = api_as(personas.admin)
    before = Team.objects.count()
    error = assert_error(api.post("/api/v1/teams", '{"name": "Broken",'), 400, "malformed_json")
    assert "not valid JSON" in error["message"]
    assert Team.objects.count() == before


def test_validation_error_names_the_field(personas, api_as):
    api = api_as(personas.admin)
    error = assert_error(api.post("/api/v1/teams", {"parent_id": "x"}), 422, "validation_error")
    assert set(error["fields"]) == {"name", "parent_id"}


def test_service_validation_error_names_the_field(personas, api_as):
    api = api_as(personas.admin)
    error = assert_error(api.post("/api/v1/teams", {"name": "   "}), 422, "validation_error")
    assert list(error["fields"]) == ["name"]
    assert not Team.objects.filter(name="   ").exists()


def test_unknown_id_is_404(personas, api_as):
    assert_error(api_as(personas.admin).get("/api/v1/teams/999999"), 404, "not_found")
    assert_error(api_as(personas.admin).get("/api/v1/users/999999"), 404, "not_found")


def test_unknown_route_is_404_in_the_same_shape(personas, api_as):
    response = api_as(personas.admin).get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_permission_denied_is_403_and_changes_nothing(personas, api_as):
    api = api_as(personas.manager1)
    before = Event.objects.count()
    assert_error(api.post("/api/v1/teams", {"name": "Mine"}), 403, "permission_denied")
    assert not Team.objects.filter(name="Mine").exists()
    assert Event.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_body_is_413_and_changes_nothing(personas, api_as):
    api = api_as(personas.admin)
    response = api.post("/api/v1/teams", {"name": "Big", "description": "x" * 5000})
    assert_error(response, 413, "request_too_large")
    assert not Team.objects.filter(name="Big").exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_form_is_refused_with_a_page_saying_so(personas, client_as):
    response = client_as(personas.admin).post("/settings/teams/new/", {"name": "Big", "description": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Team.objects.filter(name="Big").exists()


def test_page_size_has_a_hard_maximum(personas, api_as):
    api = api_as(personas.admin)
    error = assert_error(api.get("/api/v1/users", {"page_size": 1000}), 422, "validation_error")
    assert "page_size" in error["fields"]
    body = api.get("/api/v1/users", {"page_size": 2, "page": 2}).json()
    assert body["page"] == 2 and body["page_size"] == 2 and body["count"] == 5 and body["pages"] == 3
    assert len(body["items"]) == 2


def test_stale_version_is_409_with_the_current_values(personas, api_as):
    api = api_as(personas.admin)
    team = api.post("/api/v1/teams", {"name": "Depot"}).json()
    assert api.patch(f"/api/v1/teams/{team['id']}", {"version": team["version"], "name": "Depot 1"}).status_code == 200
    response = api.patch(f"/api/v1/teams/{team['id']}", {"version": team["version"], "name": "Depot 2"})
    error = assert_error(response, 409, "conflict")
    assert error["current"]["name"] == "Depot 1"
    assert error["current_version"] == team["version"] + 1
    assert Team.objects.get(pk=team["id"]).name == "Depot 1"


def test_openapi_schema_and_docs_are_served(db):
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Relata API"
    assert "/api/v1/me" in schema["paths"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
