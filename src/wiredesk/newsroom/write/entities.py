"""Entity rows across stories: one per person, organisation, place, country or topic.

A story's enrichment names entities by cross-story keys ("person:helena-marques-duarte"). This
module finds their rows, creates new ones, and resolves names across stories:

* a story that names a person or organisation only by a shorter name other stories used for it
  ("Marques Duarte") is linked to that entity, when exactly one entity is known by that name;
* when a person is first named in full *after* stories that used only a multi-word short form
  ("Lopez Obrador" before "Andres Manuel Lopez Obrador"), the short-form entity is absorbed into
  the full one: its stories, quotes and aliases move, and those stories are republished. A bare
  surname is never absorbed (two Bidens are common); an editor can rename such an entity.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify

from wiredesk.core.lexicon.folding import fold_words
from wiredesk.enrich.entities import entity_key
from wiredesk.enrich.result import EntityRef
from wiredesk.newsroom.models import Enrichment, Entity, EntityAlias, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.write.publishing import publish_change

# Kinds whose short names are resolved across stories: a story naming only "Lopez Obrador" is
# about the Andres Manuel Lopez Obrador other stories named in full, when he is the only one.
RESOLVED_KINDS = ("person", "organisation")


def entity_rows(refs: Iterable[EntityRef]) -> dict[str, Entity]:
    """The Entity row of each ref (by the ref's key): found by key; else, for people and
    organisations, the one entity that other stories knew by this name; else created. The
    names a story used are recorded as aliases for the next story."""
    refs = list(refs)
    found = {entity.key: entity for entity in Entity.objects.filter(key__in=[r.key for r in refs])}
    for ref in refs:
        if ref.key in found:
            continue
        entity = _by_alias(ref) if ref.kind in RESOLVED_KINDS else None
        if entity is None:
            code = ref.country_code if ref.kind == "country" else ""
            if ref.kind == "topic":
                code = ref.key.removeprefix("topic:")
            entity = Entity.objects.create(
                key=ref.key[:200], kind=ref.kind, name=ref.name[:300], slug=_unique_slug(ref),
                code=code, aliases=sorted(ref.aliases))
            _absorb_short_forms(entity)
        found[ref.key] = entity
    for ref in refs:
        _remember_aliases(found[ref.key], ref)
    return found


def _fold(name: str) -> str:
    """A name as the alias table keys it: the lexicon's fold for names compared across stories
    (accents and case folded, words one space apart: "López Obrador" == "lopez obrador", as
    entity keys already fold them), cut to the column's length."""
    return fold_words(name)[:300]


def _by_alias(ref: EntityRef) -> Entity | None:
    """The one entity of this kind known by the ref's name (None if none, or several)."""
    ids = set(EntityAlias.objects.filter(alias=_fold(ref.name), kind=ref.kind)
              .values_list("entity_id", flat=True)[:2])
    return Entity.objects.get(pk=ids.pop()) if len(ids) == 1 else None


def _surname_forms(entity: Entity) -> list[str]:
    """How a later story may shorten a person's full name: "Marques Duarte" and "Duarte" for
    Helena Marques Duarte (the name without its first word, down to the surname)."""
    words = entity.name.split()
    return [" ".join(words[n:]) for n in range(1, len(words))] if entity.kind == "person" else []


def _remember_aliases(entity: Entity, ref: EntityRef) -> None:
    if entity.kind not in RESOLVED_KINDS:
        return
    names = {_fold(name) for name in (*ref.aliases, ref.name, *_surname_forms(entity))
             if name}
    names.discard(_fold(entity.name))
    aliases = sorted(set(entity.aliases) | {name for name in ref.aliases if name != entity.name})
    if aliases != entity.aliases:
        entity.aliases = aliases
        entity.save(update_fields=["aliases"])
    EntityAlias.objects.bulk_create(
        [EntityAlias(alias=name, kind=entity.kind, entity=entity) for name in names],
        ignore_conflicts=True)


def _unique_slug(ref: EntityRef) -> str:
    base = (slugify(ref.key.replace(":", "-")) or "entity")[:180]
    slug, n = base, 1
    while Entity.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _absorb_short_forms(entity: Entity) -> None:
    """Merge into a newly created person the entities earlier stories made of a multi-word short
    form of the name ("Lopez Obrador" for Andres Manuel Lopez Obrador)."""
    if entity.kind != "person":
        return
    words = entity.name.split()
    keys = [entity_key("person", " ".join(words[n:])) for n in range(1, len(words) - 1)]
    for short in Entity.objects.filter(kind="person", key__in=keys).exclude(pk=entity.pk):
        merge_entities(short, into=entity)


def merge_entities(short: Entity, *, into: Entity) -> None:
    """Move everything of ``short`` to ``into`` and delete it; its stories are republished."""
    stories = list(Story.objects.filter(entity_links__entity=short))
    for link in StoryEntity.objects.filter(entity=short):
        existing = StoryEntity.objects.filter(story_id=link.story_id, entity=into).first()
        if existing is not None:
            existing.count += link.count
            existing.save(update_fields=["count"])
            link.delete()
        else:
            link.entity = into
            link.save(update_fields=["entity"])
    StoryQuote.objects.filter(speaker=short).update(speaker=into)
    for row in EntityAlias.objects.filter(entity=short):
        EntityAlias.objects.get_or_create(alias=row.alias, kind=row.kind, entity=into)
    EntityAlias.objects.get_or_create(alias=_fold(short.name), kind=into.kind, entity=into)
    into.aliases = sorted(set(into.aliases) | set(short.aliases) | {short.name})
    into.linked = into.linked or short.linked  # the links moved with their decisions
    into.save(update_fields=["aliases", "linked"])
    for record in Enrichment.objects.filter(story__in=stories):
        kept: dict[str, dict[str, object]] = {}
        for item in record.data.get("entities", []):
            if item.get("key") == short.key:
                item["key"], item["name"] = into.key, into.name
            if item["key"] in kept:  # the story named both: one entry, mentions added up
                kept[item["key"]]["count"] = int(str(kept[item["key"]]["count"])) + int(
                    item.get("count", 0))
            else:
                kept[item["key"]] = item
        record.data["entities"] = list(kept.values())
        for quote in record.data.get("quotes", []):
            if quote.get("speaker_key") == short.key:
                quote["speaker_key"] = into.key
        record.save(update_fields=["data"])
    short.delete()
    for story in stories:
        publish_change(story)
