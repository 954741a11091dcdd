"""The alias table folds names with the lexicon's fold for names (accents, case and spacing),
so a later story's short form finds the entity however either story wrote the accents."""

from __future__ import annotations

import pytest

from wiredesk.enrich.entities import entity_key
from wiredesk.enrich.result import EntityRef
from wiredesk.newsroom.models import EntityAlias
from wiredesk.newsroom.write.entities import entity_rows

pytestmark = pytest.mark.django_db


def _person(name: str, *aliases: str) -> EntityRef:
    return EntityRef(entity_key("person", name), name, "person", aliases=aliases)


def test_a_short_form_without_accents_finds_the_accented_full_name() -> None:
    full = entity_rows([_person("Andrés Manuel López Obrador", "López Obrador")])
    entity = full[entity_key("person", "Andrés Manuel López Obrador")]
    later = _person("Lopez  OBRADOR")
    assert entity_rows([later])[later.key] == entity
    assert set(EntityAlias.objects.filter(entity=entity).values_list("alias", flat=True)) >= {
        "lopez obrador", "manuel lopez obrador", "obrador"}


def test_an_accented_short_form_finds_a_full_name_written_without_accents() -> None:
    full = entity_rows([_person("Andres Manuel Lopez Obrador")])
    entity = full[entity_key("person", "Andres Manuel Lopez Obrador")]
    later = _person("López Obrador")
    assert entity_rows([later])[later.key] == entity
