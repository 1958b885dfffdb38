"""A support site that embeds the portal with one script tag, served from 127.0.0.1 while the
portal is at localhost (another site), and what its tests do there as a visitor would."""

from __future__ import annotations

from contextlib import contextmanager

from tests.stub_server import stub_server

PHONE = {"width": 390, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
EVENTS = ["ready", "invalid", "refused", "resize", "queued", "submitted"]

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme help centre</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body {{ margin: 0 16px; font: 16px/1.5 sans-serif; {body_style} }}
  body.dark {{ background: #15171a; color: #eee; color-scheme: dark; }}
  .intro {{ height: {intro_height}px; }}
</style></head>
<body class="{body_class}">
<h1>Acme help centre</h1>
<p class="intro">Read our guides first. {intro_text}</p>
{intro_html}
<script src="{portal}/static/embed.js" data-form="{form}" {attributes}></script>
<p id="after">Below the form.</p>
<script>
  window.portalEvents = [];
  {events}.forEach(function (type) {{
    document.addEventListener("ticket-portal:" + type, function (event) {{
      window.portalEvents.push({{type: type, height: event.detail.height || null,
                                code: event.detail.code || null}});
    }});
  }});
</script>
</body></html>
"""


@contextmanager
def support_site(portal: str, attributes: str = 'data-lang="en"', dark: bool = False,
                 body_style: str = "", intro_height: int = 40, intro_html: str = "",
                 form: str = "support"):  # fmt: skip
    page = HOST_PAGE.format(
        portal=portal,
        form=form,
        attributes=attributes,
        body_class="dark" if dark else "",
        body_style=body_style,
        intro_height=intro_height,
        intro_text="" if intro_height < 200 else "A long page. " * 40,
        intro_html=intro_html,  # the host's own content above the form (a wide table)
        events=EVENTS,
    ).encode()
    with stub_server(lambda request: (200, "text/html; charset=utf-8", page)) as (url, _seen):
        yield url


def form_frame(page, after: str = "ready"):
    page.wait_for_function(f"window.portalEvents.some(e => e.type === '{after}')")
    return next(f for f in page.frames if "/embed/" in f.url)


def frame_top(page) -> float:
    return page.evaluate("document.querySelector('iframe').getBoundingClientRect().top")


def press_send(page, frame) -> None:
    """Scroll the host page to the frame's Send button, as a person does, and press it."""
    send = frame.get_by_role("button", name="Send")
    inside = send.evaluate("b => b.getBoundingClientRect().top")
    page.evaluate(f"window.scrollBy(0, {frame_top(page) + inside} - window.innerHeight / 2)")
    send.click()


def in_view(page, top: float) -> bool:
    """A point of the host page is where the eye is: on screen, in its upper half."""
    return 0 <= top <= page.viewport_size["height"] / 2
