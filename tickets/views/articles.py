"""Knowledge-base articles on a customer's form: the suggestions for what is typed in the
subject, an article opened in place or on its own page, and "This answered my question".

Every answer comes from the portal's own copy of the articles (tickets/knowledge/): nothing
here waits for the helpdesk. Nothing here sets a cookie or keeps anything of the person: the
counts are per form and week.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..embedding import framing
from ..embedding.origin import from_own_page
from ..forms import tokens
from ..knowledge import suggest
from ..lib.html import agent_html
from ..models import Article
from ..schema.types import FormSpec
from .shared import see_other, spec_for

AUDIENCE = "customer"
MIN_WORDS = 3


def suggesting(spec: FormSpec) -> bool:
    """Whether this form suggests articles (the portal's setting, and the form's own)."""
    return settings.TICKETS_ARTICLES and spec.articles


def _spec(slug: str) -> FormSpec:
    spec = spec_for(slug, AUDIENCE)
    if not suggesting(spec):
        raise Http404(_("There is no such page."))
    return spec


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@require_http_methods(["GET"])
def suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    """Up to three articles for the subject typed so far, as a fragment of the form's page."""
    spec = _spec(slug)
    query = request.GET.get("q", "")[:300]
    found = []
    if len(query.split()) >= MIN_WORDS or request.GET.get("left"):
        found = suggest.suggest(query, _language(), spec.article_categories)
    if found:
        suggest.count(slug, shown=1)
    lang = _language()
    for article in found:
        article.shown_title = article.title.get(lang) or next(iter(article.title.values()), "")
    context = {"articles": found, "spec": spec, "embed": "embed" in request.GET}
    response = render(request, "tickets/article_suggestions.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _article(article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404(_("There is no such article."))
    return article


def _shown(article: Article) -> dict:
    lang = _language()
    title = article.title.get(lang) or next(iter(article.title.values()), "")
    body = article.body.get(lang) or next(iter(article.body.values()), "")
    return {"title": title, "body": agent_html(body, _("Image not shown")), "article": article}


@require_http_methods(["GET"])
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    """An article on a page of its own (opened in a new tab)."""
    if not settings.TICKETS_ARTICLES:
        raise Http404(_("There is no such page."))
    return render(request, "tickets/article.html", _shown(_article(article_id)))


@require_http_methods(["GET"])
def article_in_place(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    """An article opened under the subject of a form: a fragment, counted as opened."""
    spec = _spec(slug)
    article = _article(article_id)
    suggest.count(slug, opened=1)
    route = "tickets:embed_answered" if "embed" in request.GET else "tickets:answered"
    context = {**_shown(article), "spec": spec, "answered_url": reverse(route, args=[slug])}
    return render(request, "tickets/article_in_place.html", context)


def _answered(request: HttpRequest, slug: str, embed: bool) -> HttpResponse:
    spec = _spec(slug)
    if request.method == "POST":
        if from_own_page(request):
            nonce = tokens.nonce_of(request.POST.get("form_token", ""), slug, AUDIENCE)
            suggest.answered(slug, nonce)
        return see_other(request.path + ("?" + request.GET.urlencode() if request.GET else ""))
    page = {"spec": spec, "embed": framing.frame_context(request) if embed else None}
    template = "tickets/embed_answered.html" if embed else "tickets/answered.html"
    return render(request, template, page)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def answered(request: HttpRequest, slug: str) -> HttpResponse:
    """ "This answered my question": counted, and a thank-you (the draft is kept a week)."""
    return _answered(request, slug, embed=False)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@framing.embeddable
def embed_answered(request: HttpRequest, slug: str) -> HttpResponse:
    return _answered(request, slug, embed=True)
