"""The page's language from `?lang=` (embed.js passes data-lang): no cookie needed."""

from django.conf import settings
from django.utils import translation

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
