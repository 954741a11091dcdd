"""The hand-written OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json.

Written by hand so that it says what the API means, not only what it returns; a test checks that
every API route in ``wiredesk.site.urls`` is described here.
"""

from __future__ import annotations

from typing import Any

import wiredesk

_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_CACHING = (
    "Responses carry `ETag`, `Last-Modified` and `Cache-Control: public, max-age=60`; send "
    "`If-None-Match` or `If-Modified-Since` to get `304 Not Modified` when nothing changed."
)

_PARAMETERS: dict[str, Any] = {
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                       "default": 1},
             "description": "Page number. A page past the last one answers 404."},
    "page_size": {"name": "page_size", "in": "query",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                  "description": "Stories per page; the site's page size (WIREDESK_PAGE_SIZE, "
                                 "20 unless configured) when absent."},
    "section": {"name": "section", "in": "query", "schema": {"type": "string"},
                "description": "Only stories in the section with this slug."},
    "source": {"name": "source", "in": "query", "schema": {"type": "string"},
               "description": "Only stories from the source with this slug."},
    "cluster": {"name": "cluster", "in": "query", "schema": {"type": "integer", "minimum": 1},
                "description": "Only stories in the event cluster with this id (its full "
                               "coverage)."},
    "entity": {"name": "entity", "in": "query", "schema": {"type": "string"},
               "description": "Only stories naming this entity, by its id: a person "
                              "(person:joe-biden), organisation, place, country (country:mx) or "
                              "IPTC topic (topic:medtop:15000000)."},
    "since": {"name": "since", "in": "query", "schema": {"type": "string"},
              "description": "Only stories first published or updated at or after this ISO "
                             "8601 date-time (UTC when it has no offset) or date."},
    "q": {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
          "description": "Full-text search: every word must match; results come best match "
                         "first instead of newest first. Combined with the filters above, the "
                         "1,000 best matches are considered."},
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {"type": "string", "enum": ["not_found", "invalid_parameter",
                                                    "method_not_allowed"]},
                "message": {"type": "string", "description": "For people, in English."},
            },
        }},
    },
    "Version": {
        "type": "object",
        "properties": {
            "number": {"type": "integer"},
            "received": {**_TIME, "description": "When Wiredesk received this version."},
            "headline": {"type": "string"},
            "hash": {"type": "string", "description": "Hash of the version's content."},
            "published": {**_TIME, "description": "Publication time the source gave."},
            "updated": {**_NULLABLE_TIME, "description": "Update time the source gave."},
            "superseded": {"type": "boolean",
                           "description": "An older version that arrived late, kept in the "
                                          "history without replacing the current one."},
        },
    },
    "Picture": {
        "type": "object",
        "properties": {
            "type": {"const": "picture"},
            "uri": {"type": "string", "format": "uri"},
            "description_text": {"type": "string", "description": "Caption."},
            "copyrightholder": {"type": "string", "description": "Credit."},
        },
    },
    "Story": {
        "type": "object",
        "description": "A story, shaped after IPTC ninjs with Wiredesk fields added "
                       "(links, source, section, times, date_is_fallback, cluster, "
                       "merged_into, also_reported_by, versions).",
        "properties": {
            "uri": {"type": "string", "format": "uri",
                    "description": "Permanent URL of the story; stable across versions."},
            "version": {"type": "string", "description": "Current version number."},
            "versioncreated": _TIME,
            "firstcreated": _TIME,
            "pubstatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
            "status": {"type": "string", "enum": ["published", "embargoed", "withheld",
                                                  "killed", "expired", "held", "unpublished"]},
            "type": {"const": "text"},
            "headline": {"type": "string"},
            "byline": {"type": "string"},
            "located": {"type": "string", "description": "Dateline."},
            "body_html": {"type": "string", "description": "Sanitised HTML; empty unless "
                                                           "publication_mode is full."},
            "description_text": {"type": "string", "description": "Summary, plain text."},
            "language": {"type": "string"},
            "subject": {"type": "array", "items": {
                "type": "object", "properties": {"name": {"type": "string"}}}},
            "associations": {"type": "object", "additionalProperties": _ref("Picture"),
                             "description": "Pictures keyed image1, image2, …"},
            "links": {"type": "array", "items": {
                "type": "object",
                "properties": {"rel": {"type": "string", "enum": ["canonical", "original"]},
                               "href": {"type": "string", "format": "uri"}}}},
            "source": {"type": "object", "properties": {
                "name": {"type": "string"}, "slug": {"type": "string"},
                "url": {"type": "string"}}},
            "section": {"type": ["object", "null"], "properties": {
                "name": {"type": "string"}, "slug": {"type": "string"}}},
            "times": {"type": "object", "properties": {
                "first_published": _TIME, "updated": _NULLABLE_TIME, "received": _TIME}},
            "date_is_fallback": {"type": "boolean",
                                 "description": "The source's date could not be read; the "
                                                "time received stands in for it."},
            "publication_mode": {"type": "string", "enum": ["full", "excerpt", "headline"],
                                 "description": "full: licensed text; excerpt: summary and a "
                                                "link to the original; headline: a link only."},
            "gate": {"type": "object", "description": "The publication gate's decision.",
                     "properties": {
                         "outcome": {"type": "string"},
                         "reasons": {"type": "array", "items": {
                             "type": "object", "properties": {
                                 "check": {"type": "string"}, "outcome": {"type": "string"},
                                 "reason": {"type": "string"}}}},
                         "timely": {"type": "boolean"}}},
            "cluster": {"type": ["object", "null"],
                        "description": "The event cluster: the stories about the same event.",
                        "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                       "uri": {"type": "string", "format": "uri"}}},
            "merged_into": {"type": ["object", "null"],
                            "description": "Set on a duplicate merged into another story "
                                           "(export only: the API serves the story itself).",
                            "properties": {"id": {"type": "integer"},
                                           "uri": {"type": "string", "format": "uri"},
                                           "kind": {"type": "string",
                                                    "enum": ["version", "copy"]},
                                           "by": {"type": "string"}}},
            "entities": {"type": "array", "description": "People, organisations and places "
                         "named (empty until the story is enriched).",
                         "items": {"type": "object", "properties": {
                             "id": {"type": "string", "description": "Canonical id, the same "
                                    "across stories (e.g. person:joe-biden)."},
                             "name": {"type": "string"},
                             "type": {"type": "string",
                                      "enum": ["person", "organisation", "place"]},
                             "count": {"type": "integer"}}}},
            "quotes": {"type": "array", "items": {"type": "object", "properties": {
                "text": {"type": "string"}, "speaker": {"type": "string"},
                "speaker_id": {"type": ["string", "null"]}, "partial": {"type": "boolean"}}}},
            "figures": {"type": "array", "items": {"type": "object", "properties": {
                "value": {"type": "number"}, "display": {"type": "string"},
                "unit": {"type": "string"}, "counts": {"type": "string"}}}},
            "places": {"type": "array", "items": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["country", "place"]},
                "name": {"type": "string"},
                "country_code": {"type": "string", "description": "ISO 3166-1 alpha-2."}}}},
            "dateline_place": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "object", "properties": {
                "qcode": {"type": "string", "description": "IPTC Media Topic, medtop:…"},
                "label": {"type": "string"},
                "source": {"type": "string", "enum": ["subject", "text"]}}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"},
            "enrichment": {"type": ["object", "null"], "properties": {
                "version": {"type": "string"}, "enriched_at": _TIME,
                "methods": {"type": "object"}}},
            "also_reported_by": {
                "type": "array", "description": "Story detail only: other sources' copies "
                                                "merged into this story, earliest first.",
                "items": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "source": {"type": "object", "properties": {
                        "name": {"type": "string"}, "slug": {"type": "string"}}},
                    "href": {"type": "string"},
                    "kind": {"type": "string", "enum": ["version", "copy"]},
                    "status": {"type": "string"}}}},
            "versions": {"type": "array", "items": _ref("Version"),
                         "description": "Story detail only: every version, oldest first."},
        },
    },
    "StoryList": {
        "type": "object",
        "properties": {
            "total": {"type": "integer", "description": "Matching stories on all pages."},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "pages": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "items": {"type": "array", "items": _ref("Story")},
        },
    },
}


def description(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wiredesk API",
            "version": wiredesk.__version__,
            "description": "Read-only access to the published stories of this site. Stories "
                           "are auto-generated from syndicated feeds and not edited by staff. "
                           + _CACHING,
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/v1/stories": {"get": {
                "operationId": "listStories",
                "summary": "Published stories, newest first",
                "parameters": [{"$ref": f"#/components/parameters/{name}"}
                               for name in _PARAMETERS],
                "responses": {
                    "200": _json("A page of stories.", _ref("StoryList")),
                    "304": {"description": "Not modified."},
                    "400": _error_response("A parameter is invalid."),
                    "404": _error_response("The page is past the last one."),
                },
            }},
            "/api/v1/stories/{story_id}": {"get": {
                "operationId": "getStory",
                "summary": "One published story with its version history",
                "parameters": [{"name": "story_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {
                    "200": _json("The story.", _ref("Story")),
                    "304": {"description": "Not modified."},
                    "404": _error_response("No such story, or it is not published."),
                    "301": {"description": "The story is a duplicate merged into another: "
                                           "Location is that story's API address."},
                    "410": _error_response("The source withdrew the story (killed, withheld or "
                                           "expired); the body's `story` gives its uri, status "
                                           "and pubstatus, and nothing else."),
                },
            }},
            "/api/v1/": {"get": {
                "operationId": "apiRoot",
                "summary": "The API's resources, with their addresses",
                "responses": {"200": _json("The resources.", {"type": "object", "properties": {
                    "resources": {"type": "object"}}})}}},
            "/api/v1/quotes": {"get": {
                "operationId": "listQuotes",
                "summary": "What one person said: their direct quotes, newest first",
                "parameters": [
                    {"name": "speaker", "in": "query", "required": True,
                     "schema": {"type": "string"},
                     "description": "The speaker's entity id, e.g. person:joe-biden."},
                    {"$ref": "#/components/parameters/page"},
                    {"$ref": "#/components/parameters/page_size"}],
                "responses": {
                    "200": _json("A page of quotes.", {"type": "object", "properties": {
                        "speaker": {"type": "object"}, "total": {"type": "integer"},
                        "page": {"type": "integer"}, "page_size": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "next": {"type": ["string", "null"]},
                        "previous": {"type": ["string", "null"]},
                        "items": {"type": "array", "items": {"type": "object", "properties": {
                            "text": {"type": "string"}, "speaker": {"type": "string"},
                            "uri": {"type": "string", "format": "uri"},
                            "story": {"type": "object"}}}}}}),
                    "304": {"description": "Not modified."},
                    "400": _error_response("No speaker given, or a parameter is invalid."),
                    "404": _error_response("No such entity, or the page is past the last."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This description",
                "responses": {"200": _json("OpenAPI 3.1 document.", {"type": "object"})},
            }},
            "/healthz": {"get": {
                "operationId": "health",
                "summary": "Health check for load balancers (not cached)",
                "responses": {
                    "200": _json("Up; the database answers.", {"type": "object"}),
                    "503": _json("The database is unreachable.", {"type": "object"}),
                },
            }},
        },
        "components": {"schemas": _SCHEMAS, "parameters": _PARAMETERS},
    }
