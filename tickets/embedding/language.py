"""The page's language from the URL (`?lang=`, which embed.js passes from data-lang): no cookie
holds the choice, so it works in a cross-site frame; language links keep the page's other
parameters (a prefill, a ctx)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import get_language_info

# The API's code for Ukrainian is `ua`; a host page may use either.
ALIASES = {"ua": "uk"}


class LanguageParameterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.GET.get("lang", "").lower()
        lang = ALIASES.get(lang, lang)
        if lang not in self.codes:
            return self.get_response(request)
        request.LANGUAGE_CODE = lang
        # override(), not activate(): the thread goes back to its language after this request.
        with translation.override(lang):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


def languages(request: HttpRequest) -> dict:
    """Template context: a link to this page in each language, and the chosen `?lang=`."""
    links = []
    for code, _name in settings.LANGUAGES:
        params = request.GET.copy()
        params["lang"] = code
        links.append((code, get_language_info(code)["name_local"], f"?{params.urlencode()}"))
    chosen = request.GET.get("lang", "")
    return {"language_links": links, "lang_query": f"?lang={chosen}" if chosen else ""}
