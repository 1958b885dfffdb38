"""One helpdesk user is read by id (`GET /users/{id}/`), never through a list filter no client
uses (`id_list`): an API that ignored it would answer the first page of everyone."""

from __future__ import annotations

import pytest

from tests.stub_server import stub_server
from tickets.helpdesk import directory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_is_read_by_id_and_none_is_none(sandbox_api):
    ada = directory.person(1001)
    assert (ada.id, ada.name, ada.email, ada.is_staff) == (
        1001,
        "Ada Lovelace",
        "ada@example.com",
        False,
    )
    assert directory.person(987654) is None


def test_a_list_answered_to_a_person_is_not_taken_for_them(settings):
    # An API that answers /users/{id}/ with a list (as one that ignored a filter would) names no
    # one: the person is unknown, not the first user of the list.
    everyone = b'{"data": [{"id": 1, "name": "First", "email": "first@example.com"}]}'
    with stub_server(lambda request: (200, "application/json", everyone)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        assert directory.person(1001) is None
    assert [r.path for r in seen] == ["/api/v2/users/1001/"]
