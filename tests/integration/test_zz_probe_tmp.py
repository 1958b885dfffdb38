import pytest
from urllib.parse import urlencode
from sandbox.models import Ticket
from tests.integration.test_portal_flow import _close_api_connections, valid_post_data, hidden_value, error_summary  # noqa
from tests.integration.test_embedding import ctx
pytestmark = pytest.mark.django_db(transaction=True)

@pytest.mark.parametrize("q", ["cf_100=198,204,211&hide=cf_100", "cf_100=198,204,211&lock=cf_100", "cf_104=on&lock=cf_104", "cf_99=192&hide=cf_99", "cf_101=2027-01-01&lock=cf_101", "title=Locked&lock=title"])
def test_probe(client, sandbox_api, q):
    url = f"/forms/support/?{q}"
    g = client.get(url)
    t = hidden_value(g, "form_token")
    r = client.post(url, valid_post_data(t, **{k: "" for k in ["cf_100_0","cf_100_1","cf_100_2","cf_104","cf_99","cf_101"] if k.split("_")[0]+"_"+k.split("_")[1] in q}, title="Changed"))
    print(q, r.status_code, r.content.decode()[:0])
    if r.status_code == 200:
        print(error_summary(r))
    else:
        tk = Ticket.objects.get(); print(tk.title, {k: tk.custom_fields.get(k) for k in ("99","100","101","104")})

def test_probe_ctx(client, sandbox_api, settings):
    settings.EMBED_CONTEXT_SECRET = "s3cret"
    url = "/embed/support/?" + urlencode({"ctx": ctx(cf_100="198,204,211", cf_99="192")})
    g = client.get(url); print(g.status_code)
    r = client.post(url, valid_post_data(hidden_value(g, "form_token")))
    print(r.status_code)
    if r.status_code == 200: print(error_summary(r))
    else: tk = Ticket.objects.get(); print(tk.custom_fields)
