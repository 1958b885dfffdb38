"""Agents' HTML made safe to show: what runs, loads or escapes is gone; what reads stays."""

from __future__ import annotations

import pytest

from tickets.lib.html import agent_html, plain_text


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="background:url(https://evil.example/t.png)">x</p>',
        "<style>body{background:url(https://evil.example/t.png)}</style>",
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<object data="https://evil.example/x.swf"></object>',
        '<form action="https://evil.example/"><input name="q"></form>',
        '<link rel="stylesheet" href="https://evil.example/s.css">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<img alt="x&gt;&lt;script&gt;alert(1)&lt;/script&gt;" src="https://evil.example/a.png">',
        '<div onclick="alert(1)" onmouseover="alert(2)">x</div>',
    ],
)
def test_nothing_runs_loads_or_escapes(hostile):
    shown = str(agent_html(hostile))
    lowered = shown.lower()
    for bad in ("<script", "onerror", "onclick", "onmouseover", "onload", "javascript:",
                "<iframe", "<img", "style=", "<style", "<svg", "<object", "<form", "<input",
                "<link", "<meta", "data:"):  # fmt: skip
        assert bad not in lowered, (hostile, shown)


def test_what_reads_stays():
    text = (
        "<p>Hello <strong>Ada</strong>, <em>thanks</em>.</p><ul><li>one</li><li>two</li></ul>"
        "<ol><li>first</li></ol><p>Run <code>make test</code>.<br>Then:</p>"
        "<blockquote>a quote</blockquote><pre>x = 1</pre>"
    )
    assert str(agent_html(text)) == text


def test_links_are_kept_safe_and_marked():
    shown = str(agent_html('<a href="https://docs.example/x" target="_top" rel="opener">docs</a>'))
    assert shown == ('<a href="https://docs.example/x" rel="noopener noreferrer nofollow">docs</a>')


def test_a_link_to_anything_else_keeps_its_words_and_is_valid_html():
    # HTML allows `rel` only on a link with an address (the Nu checker: tests/integration).
    assert str(agent_html('<a href="javascript:alert(1)">click</a>')) == "<a>click</a>"
    shown = str(agent_html('<a title="Say &quot;hi&quot; >" href="vbscript:x">hi</a>'))
    assert shown == '<a title="Say &quot;hi&quot; &gt;">hi</a>'


def test_an_image_becomes_a_link_that_says_it_was_not_shown():
    shown = str(agent_html('<p><img src="https://cdn.example/s.png" alt="Screenshot"></p>', "Bild"))
    assert shown == (
        '<p><a href="https://cdn.example/s.png" rel="noopener noreferrer nofollow">'
        "[Bild: Screenshot]</a></p>"
    )
    assert str(agent_html('<img src="cid:abc">')) == "[Image not shown]"


def test_a_trailing_quoted_email_is_folded():
    shown = str(
        agent_html(
            "<p>Done.</p><blockquote><p>On Monday you wrote</p></blockquote>", quote_label="Earlier"
        )
    )
    assert shown == (
        "<p>Done.</p><details><summary>Earlier</summary>"
        "<blockquote><p>On Monday you wrote</p></blockquote></details>"
    )
    assert "<details>" not in str(
        agent_html("<blockquote>q</blockquote><p>after</p>", quote_label="E")
    )


def test_a_persons_text_is_escaped_with_its_lines_kept():
    assert (
        plain_text("a <b>\nsecond\n\n\nnew & para")
        == "<p>a &lt;b&gt;<br>second</p><p>new &amp; para</p>"
    )
    assert plain_text("   ") == ""
