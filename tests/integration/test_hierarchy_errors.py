"""A hierarchy refused on the server marks the one level the error is about, and the error
summary links to that level: the empty one, or the one whose choice does not belong."""

import re

import pytest

from tests.integration.test_portal_flow import valid_post_data
from tests.stack import TOKEN_RE

pytestmark = pytest.mark.django_db


def sent_back(client, **changes) -> str:
    token = TOKEN_RE.search(client.get("/forms/support/").content.decode())[1]
    response = client.post("/forms/support/", valid_post_data(token, **changes),
                           headers={"Origin": "http://testserver"})  # fmt: skip
    assert response.status_code == 200
    return response.content.decode()


def marked(html: str) -> list[str]:
    selects = re.findall(r"<select[^>]*>", html)
    return [
        re.search(r'id="([^"]+)"', s)[1] for s in selects if "is-invalid" in s and "cf_100" in s
    ]


def summary_links(html: str) -> list[str]:
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


@pytest.mark.parametrize(
    ("levels", "at"),
    [
        ({"cf_100_1": "", "cf_100_2": ""}, "id_cf_100_1"),  # Payments chosen, nothing below it
        ({"cf_100_0": "", "cf_100_1": "", "cf_100_2": ""}, "id_cf_100_0"),  # nothing at all
        ({"cf_100_1": "", "cf_100_2": "211"}, "id_cf_100_1"),  # a gap
    ],
    ids=["level-2-empty", "all-empty", "gap"],
)
def test_only_the_level_the_error_is_about_is_marked_and_linked(client, levels, at):
    html = sent_back(client, **levels)
    assert marked(html) == [at]
    assert at in summary_links(html)
    select = re.search(rf'<select[^>]*id="{at}"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in select
    others = [s for s in re.findall(r'<select[^>]*id="id_cf_100_\d"[^>]*>', html) if at not in s]
    assert not any("aria-invalid" in s for s in others)


def test_a_form_sent_back_for_another_field_marks_no_level(client):
    html = sent_back(client, title="")
    assert marked(html) == []
