"""The sanitiser: hostile feed HTML in, HTML we can put on our pages out."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiredesk.ingest.sanitize import (
    ALLOWED_TAGS,
    DEFAULT_IFRAME_HOSTS,
    IFRAME_SANDBOX,
    HtmlTooDeep,
    absolute_url,
    is_tracker_url,
    parse_fragment,
    sanitize_html,
    sanitize_tree,
    serialize_fragment,
    text_of,
    wrap_inline_runs,
)

BASE = "https://news.example.com/world/story.html"


def clean(html: str, *, base_url: str = BASE, hosts: frozenset[str] = DEFAULT_IFRAME_HOSTS) -> str:
    return sanitize_html(html, base_url=base_url, allowed_iframe_hosts=hosts)


def tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


# ----------------------------------------------------------------------------- scripts and handlers


def test_script_and_style_are_removed_with_their_contents() -> None:
    html = "<p>Before</p><script>alert('x')</script><style>p { color: red }</style><p>After</p>"
    assert clean(html) == "<p>Before</p><p>After</p>"


def test_raw_text_elements_do_not_leak_escaped_markup() -> None:
    # Without clean_content_tags nh3 prints <noscript>'s contents as text: "&lt;img ...&gt;".
    html = '<noscript><img src="x.png"></noscript><textarea><b>x</b></textarea><p>Text</p>'
    assert clean(html) == "<p>Text</p>"


@pytest.mark.parametrize(
    "html",
    [
        '<p onclick="alert(1)">Text</p>',
        '<p ONMOUSEOVER="alert(1)">Text</p>',
        '<img src="a.jpg" onerror="alert(1)">',
        '<a href="/x" onfocus="alert(1)" autofocus>Text</a>',
        '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>',
    ],
)
def test_event_handlers_are_removed(html: str) -> None:
    out = clean(html)
    assert "alert" not in out
    assert all(
        not name.lower().startswith("on") for el in tree(out).iter() for name in el.attrib
    )


# ------------------------------------------------------------------------------- dangerous URLs


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "   javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",  # a tab inside the scheme
        "jav&#x0A;ascript:alert(1)",  # a newline inside the scheme
        "&#x01;javascript:alert(1)",  # a leading control character
        "&#106;avascript:alert(1)",  # an entity for the first letter
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_links_with_dangerous_schemes_are_dropped_and_their_text_kept(url: str) -> None:
    out = clean(f'<p><a href="{url}">Read this</a></p>')
    assert out == "<p>Read this</p>"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zz4=", "vbscript:x"]
)
def test_images_with_dangerous_sources_are_removed(url: str) -> None:
    assert clean(f'<p>Text<img src="{url}"></p>') == "<p>Text</p>"


def test_quote_citations_are_checked_like_links() -> None:
    # nh3 does not treat ``cite`` as a URL; the post-pass does.
    out = clean('<blockquote cite="javascript:alert(1)">Quote</blockquote><q cite="/src">q</q>')
    assert out == '<blockquote>Quote</blockquote><q cite="https://news.example.com/src">q</q>'


def test_style_attributes_are_removed_so_css_expressions_cannot_run() -> None:
    html = '<p style="width: expression(alert(1)); background: url(javascript:alert(1))">Text</p>'
    assert clean(html) == "<p>Text</p>"


# ---------------------------------------------------------------------------------- URLs and links


@pytest.mark.parametrize(
    ("href", "absolute"),
    [
        ("/politics/x.html", "https://news.example.com/politics/x.html"),
        ("other.html", "https://news.example.com/world/other.html"),
        ("../up.html", "https://news.example.com/up.html"),
        ("//cdn.example.net/a", "https://cdn.example.net/a"),
        ("#section", "https://news.example.com/world/story.html#section"),
        ("HTTP://Example.org/A", "http://Example.org/A"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
    ],
)
def test_relative_urls_are_made_absolute(href: str, absolute: str) -> None:
    link = tree(clean(f'<a href="{href}">x</a>')).find("a")
    assert link is not None
    assert link.get("href") == absolute


def test_relative_image_sources_are_made_absolute() -> None:
    image = tree(clean('<p><img src="../img/photo.jpg" alt="A photo"></p>')).find(".//img")
    assert image is not None
    assert image.get("src") == "https://news.example.com/img/photo.jpg"
    assert image.get("alt") == "A photo"


def test_relative_urls_without_a_base_are_dropped() -> None:
    assert clean('<p><a href="/x">Text</a></p>', base_url="") == "<p>Text</p>"


def test_links_get_rel_and_lose_target() -> None:
    out = clean('<a href="https://example.org/" target="_blank" rel="opener">x</a>')
    link = tree(out).find("a")
    assert link is not None
    assert link.get("rel") == "noopener noreferrer nofollow"
    assert link.get("target") is None


def test_absolute_url_refuses_what_is_not_web_or_mail() -> None:
    assert absolute_url("ftp://example.org/file", BASE) is None
    assert absolute_url("http://[::1", BASE) is None  # malformed host
    assert absolute_url("https://", BASE) is None  # no host
    assert absolute_url("mailto:", BASE) is None
    assert absolute_url(" \t/path\n", BASE) == "https://news.example.com/path"


# ------------------------------------------------------------------------------------------ iframes


@pytest.mark.parametrize(
    ("url", "absolute"),
    [
        ("http://example.com/a?", "http://example.com/a"),  # an empty query is dropped
        ("http://example.com/a#", "http://example.com/a"),  # and so is an empty fragment
        ("http://example.com/a?#f", "http://example.com/a#f"),
        ("HTTP://EXAMPLE.com/x", "http://EXAMPLE.com/x"),  # the scheme in lower case
        (" http://example.com/\tx\n ", "http://example.com/x"),
        ("http://user:pw@example.com/x", "http://user:pw@example.com/x"),
        ("http://[::1]/x", "http://[::1]/x"),
        ("http://example.com/caf\u00e9 1.jpg", "http://example.com/caf\u00e9 1.jpg"),
        ("https://example.com?q=1#f", "https://example.com?q=1#f"),
        ("http://:80/x", None),  # no host
    ],
)
def test_absolute_url_normalises_absolute_urls_the_way_urlsplit_does(
    url: str, absolute: str | None
) -> None:
    assert absolute_url(url, BASE) == absolute


def _reference_absolute_url(url: str, base_url: str) -> str | None:
    """absolute_url's rules spelled out with urlsplit alone, as the reference for its shortcut."""
    url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    url = url.strip("".join(chr(code) for code in range(0x21)))
    if not url:
        return None
    try:
        parts = urlsplit(url)
        if not parts.scheme and base_url:
            parts = urlsplit(urljoin(base_url, url))
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return urlunsplit(parts) if parts.path else None
    if scheme in ("http", "https") and parts.hostname:
        return urlunsplit(parts._replace(scheme=scheme))
    return None


_URL_PARTS = st.sampled_from(
    ["http", "https", "HTTP", "mailto", ":", "//", "/", "?", "#", "@", "[", "]", ".", "-", "80",
     "example.com", "a", "\u00e9", " ", "\t", "\x01", "%20", "~r", "q=1"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PARTS, max_size=12).map("".join))
def test_absolute_url_agrees_with_urlsplit(url: str) -> None:
    assert absolute_url(url, BASE) == _reference_absolute_url(url, BASE)


@pytest.mark.parametrize(
    "url",
    [
        "http://stats.example.com/a.gif",
        "http://EXAMPLE.com/~r/x",
        "https://x.doubleclick.net/p",
        "https://pixel.wp.com./p.gif",
        "http://user:pw@pixel.wp.com/",
        "http://feeds.feedburner.com/~ff/x?y",
        "http://example.com/a b/~r/",
    ],
)
def test_tracker_urls_are_recognised_however_they_are_written(url: str) -> None:
    assert is_tracker_url(url)


def test_iframes_from_allowed_hosts_are_kept_sandboxed_https_and_lazy() -> None:
    out = clean('<iframe src="http://www.youtube.com/embed/abc" allowfullscreen>fallback</iframe>')
    frame = tree(out).find("iframe")
    assert frame is not None
    assert frame.get("src") == "https://www.youtube.com/embed/abc"
    assert frame.get("sandbox") == IFRAME_SANDBOX
    assert frame.get("loading") == "lazy"
    assert frame.text_content() == ""


def test_protocol_relative_iframes_are_forced_to_https() -> None:
    base = "http://plain.example.com/"
    frame = tree(clean('<iframe src="//youtube.com/embed/abc"></iframe>', base_url=base)).find(
        "iframe"
    )
    assert frame is not None
    assert frame.get("src") == "https://youtube.com/embed/abc"


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/embed",
        "https://youtube.com.evil.example/embed",  # the allowed host as a prefix only
        "https://notyoutube.com/embed",  # the allowed host as a suffix without a dot
        "javascript:alert(1)",
        "/embed/relative-to-the-publisher",
        "",
    ],
)
def test_iframes_from_other_hosts_are_removed(src: str) -> None:
    assert clean(f'<p>Before</p><iframe src="{src}"></iframe><p>After</p>') == (
        "<p>Before</p><p>After</p>"
    )


def test_the_iframe_allowlist_is_the_callers() -> None:
    html = '<iframe src="https://player.example.tv/v/1"></iframe>'
    assert clean(html) == ""
    assert "player.example.tv" in clean(html, hosts=frozenset({"example.tv"}))


# ------------------------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    "image",
    [
        '<img src="/t.gif" width="1" height="1">',
        '<img src="/t.gif" width="0" height="0">',
        '<img src="/t.gif" height="2px">',
        '<img src="https://feeds.feedburner.com/~r/example/~4/abc123">',
        '<img src="https://feeds.feedburner.com/~ff/example?d=yIl2AUoC8zA">',
        '<img src="https://mirror.example.com/~ff/example?i=1">',
        '<img src="https://pixel.wp.com/b.gif?host=example.com">',
        '<img src="https://stats.example.com/count.gif">',
        '<img src="https://ad.doubleclick.net/ddm/ad/x">',
        '<img src="https://www.google-analytics.com/collect?v=1">',
        "<img>",
    ],
)
def test_tracking_pixels_and_sourceless_images_are_removed(image: str) -> None:
    assert clean(f"<p>Text{image}</p>") == "<p>Text</p>"


def test_real_images_are_kept_and_load_lazily() -> None:
    out = clean('<figure><img src="photo.jpg" width="640" height="360"><figcaption>C</figcaption>')
    image = tree(out).find(".//img")
    assert image is not None
    assert image.get("loading") == "lazy"
    assert image.get("width") == "640"


def test_tracker_patterns_do_not_catch_ordinary_pictures() -> None:
    assert not is_tracker_url("https://images.example.com/2024/stats-chart.png")
    assert not is_tracker_url("https://cdn.example.com/statsbomb/photo.jpg")


# --------------------------------------------------------------------------------------- structure


def test_empty_paragraphs_are_removed_including_those_emptied_by_the_post_pass() -> None:
    html = '<p></p><p> &nbsp; </p><p><br></p><p><img src="/p.gif" width="1"></p><p>Text</p>'
    assert clean(html) == "<p>Text</p>"


def test_layout_containers_become_paragraphs_instead_of_gluing_text() -> None:
    assert clean("<div>One</div><div>Two</div>") == "<p>One</p><p>Two</p>"
    assert clean("<section><div>Loose<p>Inner</p>tail</div></section>") == (
        "<p>Loose</p><p>Inner</p><p>tail</p>"
    )


def test_headings_are_kept_within_h2_to_h4() -> None:
    assert clean("<h1>A</h1><h3>B</h3><h6>C</h6>") == "<h2>A</h2><h3>B</h3><h4>C</h4>"


def test_classes_are_removed_except_the_subhead_marker() -> None:
    html = '<h2 class="subhead">X Y</h2><h2 class="big red">Z</h2><p class="lead">P</p>'
    assert clean(html) == '<h2 class="subhead">X Y</h2><h2>Z</h2><p>P</p>'


def test_allowlisted_structure_survives() -> None:
    html = (
        "<table><caption>Results</caption><thead><tr><th scope=\"col\">A</th></tr></thead>"
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table>'
        '<ol start="3"><li><strong>s</strong> <em>e</em> <sub>2</sub> <abbr title="t">T</abbr>'
        "</li></ol>"
        "<pre><code>x = 1</code></pre><hr>"
    )
    assert clean(html) == html


def test_unknown_tags_are_unwrapped_and_their_text_kept() -> None:
    assert clean("<p><span>one</span> <font>two</font> <custom-tag>three</custom-tag></p>") == (
        "<p>one two three</p>"
    )


def test_quotation_marks_survive_intact() -> None:
    text = "He said \"no\" and 'maybe' \u201clater\u201d \u2018then\u2019"
    assert clean(f"<p>{text} &quot;too&quot;</p>") == f'<p>{text} "too"</p>'


def test_sanitize_tree_is_the_tree_sanitize_html_serialises() -> None:
    html = '<div>One<br><br>two</div><h1>Head</h1><p><a href="/x">link</a><img src="p.jpg"></p>'
    root = sanitize_tree(html, base_url=BASE, allowed_iframe_hosts=DEFAULT_IFRAME_HOSTS)
    assert serialize_fragment(root) == clean(html)


def test_parse_fragment_drops_leading_blank_text_only() -> None:
    assert parse_fragment("  <p>x</p>").text is None
    assert parse_fragment(" lead <p>x</p>").text == " lead "
    assert serialize_fragment(parse_fragment("")) == ""


def test_wrap_inline_runs_wraps_loose_content_where_it_stands() -> None:
    root = parse_fragment(
        "lead <b>bold</b><p>kept</p> <br>mid<br>line<br><br>next<ul><li>x</li></ul>"
    )
    wrap_inline_runs(root)
    assert serialize_fragment(root) == (
        "<p>lead <b>bold</b></p><p>kept</p><p>mid<br>line</p><p>next</p><ul><li>x</li></ul>"
    )


_TEXT_FRAGMENTS = st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<!-- c -->", "text", " ", "&amp;", "<br>", "<li>", "\u00e9"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT_FRAGMENTS, max_size=20).map("".join))
def test_text_of_is_text_content(html: str) -> None:
    for element in parse_fragment(html).iter(lxml.etree.Element):  # elements, not comments
        assert text_of(element) == element.text_content()


def test_sanitising_twice_changes_nothing() -> None:
    html = (
        '<div>Intro <a href="/a" target="_blank">link</a></div><img src="p.jpg">'
        '<iframe src="https://www.youtube.com/embed/x"></iframe><h2 class="subhead">A B</h2>'
    )
    once = clean(html)
    assert clean(once) == once


def test_pathologically_deep_markup_is_refused_rather_than_truncated() -> None:
    with pytest.raises(HtmlTooDeep):
        clean("<p>Start</p>" + "<blockquote>" * 400 + "deep" + "</blockquote>" * 400)


# -------------------------------------------------------------------------------------- properties

_FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<div>", "</div>", "<a href='javascript:alert(1)'>", "<a href=\"/ok\">",
        "</a>", "<img src=x onerror=alert(1)>", "<script>", "</script>", "<style>",
        "<svg onload=x>",
        "<iframe src='https://evil.example/'>", "</iframe>", "<math><mtext><table><mglyph><style>",
        "<!--", "-->", "<![CDATA[", "]]>", "&lt;", "&#x6a;avascript:", "\"", "'", "<", ">", "text",
        " ", "<br>", "<noscript>", "</noscript>", "<p style='x:expression(1)'>", "<object data=x>",
        "<form action=javascript:x>", "<base href=//evil>", "<meta http-equiv=refresh>",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=25).map("".join))
def test_output_only_ever_holds_allowlisted_tags_and_safe_attributes(html: str) -> None:
    for element in tree(clean(html)).iterdescendants():
        assert element.tag in ALLOWED_TAGS
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert name != "style"
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
