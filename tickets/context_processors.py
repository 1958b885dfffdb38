"""Language links that keep the page's other parameters (a prefill, a ctx): no cookie holds the
choice, the URL does."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info


def languages(request: HttpRequest) -> dict:
    links = []
    for code, _name in settings.LANGUAGES:
        params = request.GET.copy()
        params["lang"] = code
        links.append((code, get_language_info(code)["name_local"], f"?{params.urlencode()}"))
    chosen = request.GET.get("lang", "")
    return {"language_links": links, "lang_query": f"?lang={chosen}" if chosen else ""}
