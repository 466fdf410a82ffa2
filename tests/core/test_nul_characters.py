"""A NUL character in an address or a field is refused with 400 and a clear message, on pages and in the
API, before it reaches the database (PostgreSQL refuses NUL in text)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/entities/AB%00/", "/search/?q=ab%00cd", "/documents/?q=a%00", "/working-groups/?as_of=%00"])
def test_pages_refuse_nul(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/entities/AB%00/", "/api/entities/AB%00/contacts/", "/api/search/?q=ab%00cd"])
def test_api_refuses_nul_with_json(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_form_field_with_nul_is_refused(client, seeded):
    response = client.post("/account/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
