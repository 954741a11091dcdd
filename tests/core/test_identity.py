from wiredesk.core.identity import assign_identities, content_hash, item_key
from wiredesk.core.items import Article, FeedItem, Image


def test_chain_prefers_guid_then_link_then_hash() -> None:
    assert item_key(FeedItem(guid=" abc ", link="http://x.test/a")) == ("abc", "guid")
    assert item_key(FeedItem(link="HTTP://X.Test/a#frag")) == ("http://x.test/a", "link")
    key, basis = item_key(FeedItem(title="T", content_html="<p>B</p>"))
    assert basis == "hash" and key.startswith("sha256:") and len(key) == 7 + 64


def test_hash_key_depends_on_title_and_body() -> None:
    first = item_key(FeedItem(title="T", content_html="<p>B</p>"))
    assert first == item_key(FeedItem(title="T", content_html="<p>B</p>"))
    assert first != item_key(FeedItem(title="T", content_html="<p>C</p>"))


def test_repeated_guid_for_different_items_is_disambiguated() -> None:
    items = [FeedItem(guid="g", link="http://x.test/1", title="One"),
             FeedItem(guid="g", link="http://x.test/2", title="Two")]
    first, second = assign_identities(items)
    assert first.external_id == "g"
    assert second.external_id.startswith("g#") and second.external_id != "g"
    assert not first.duplicate_in_feed and not second.duplicate_in_feed
    # Stable across fetches: the same feed gives the same ids again.
    assert assign_identities(items) == [first, second]


def test_identical_copy_inside_a_feed_is_a_duplicate() -> None:
    item = FeedItem(guid="g", link="http://x.test/1", title="One", content_html="<p>x</p>")
    identities = assign_identities([item, FeedItem(guid="g", link="http://x.test/1",
                                                   title="One", content_html="<p>x</p>")])
    assert [i.duplicate_in_feed for i in identities] == [False, True]


def _article(**changes: object) -> Article:
    fields: dict[str, object] = {"headline": "H", "body_html": "<p>B</p>", "summary": "S",
                                 "slug": "h"}
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


def test_content_hash_changes_with_what_readers_see_only() -> None:
    base = content_hash(_article())
    assert base == content_hash(_article(categories=("x",)))  # not shown as content
    assert base != content_hash(_article(body_html="<p>B!</p>"))
    assert base != content_hash(_article(headline="H2"))
    assert base != content_hash(_article(images=(Image("http://x.test/i.jpg"),)))
