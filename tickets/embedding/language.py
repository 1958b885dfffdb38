"""The page's language from the URL (`?lang=`, which embed.js passes from data-lang): no cookie
holds the choice, so it works in a cross-site frame; language links keep the page's other
parameters (a prefill, a ctx). Staff pages carry it the same way, from page to page, through
sign-in and sign-out (`with_language` for the addresses their views send to)."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.translation import get_language_info

# The API's code for Ukrainian is `ua`; a host page may use either.
ALIASES = {"ua": "uk"}


def chosen(request: HttpRequest) -> str:
    """The language `?lang=` names, as one of LANGUAGES' codes, or "" (none, or not one of ours)."""
    lang = request.GET.get("lang", "").lower()
    lang = ALIASES.get(lang, lang)
    return lang if lang in {code for code, _name in settings.LANGUAGES} else ""


def with_language(url: str, request: HttpRequest) -> str:
    """`url` speaking the language this request's URL chose (its own `lang` replaced); as it is
    when the request chose none."""
    lang = chosen(request)
    if not lang:
        return url
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query["lang"] = lang
    return urlunsplit(parts._replace(query=query.urlencode(safe="/")))


class LanguageParameterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = chosen(request)
        if not lang:
            return self.get_response(request)
        request.LANGUAGE_CODE = lang
        # override(), not activate(): the thread goes back to its language after this request.
        with translation.override(lang):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


def languages(request: HttpRequest) -> dict:
    """Template context: a link to this page in each language, and the chosen `?lang=` (checked:
    a page never repeats what a query said, see views/compression.py)."""
    links = []
    for code, _name in settings.LANGUAGES:
        params = request.GET.copy()
        params["lang"] = code
        links.append((code, get_language_info(code)["name_local"], f"?{params.urlencode()}"))
    lang = chosen(request)
    return {"language_links": links, "lang_query": f"?lang={lang}" if lang else ""}
