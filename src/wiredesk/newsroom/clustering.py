"""Event clusters: each new story joins the best event cluster or starts one.

The clustering itself is :mod:`wiredesk.cluster`.

Like the duplicate desk, the clusterer is a per-process cache of stored state: the record is
``Story.cluster``. It is built on first use by replaying the stories of recently active clusters
into their stored clusters (:meth:`~wiredesk.cluster.Clusterer.place`, no decision re-taken), and
before each chunk it catches up with stories other processes placed since. It runs inside the
duplicate desk's session (see :mod:`wiredesk.newsroom.duplicates`), so placements are serialised
across workers; if the session's transaction fails the clusterer is dropped and rebuilt, so it
never holds a story the database does not.

Only stories shown on their own are placed; a merged duplicate shares its story's cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, QuerySet

from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer, cluster_title
from wiredesk.core.text import html_to_text
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Cluster, Story

log = logging.getLogger(__name__)


def _doc(story_id: int, headline: str, body_html: str, summary: str,
         published: datetime) -> ClusterDoc:
    return ClusterDoc(str(story_id), headline, html_to_text(body_html) or summary, published)


class ClusterDesk:
    """One process's clusterer and the rules for keeping it in step. Use :data:`clusters`."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self._clusterer: Clusterer | None = None
        self._last_story = 0

    def reset(self) -> None:
        """Forget everything; rebuilt from the database on next use."""
        self._clusterer = None
        self._last_story = 0

    def sync(self) -> None:
        """Inside the duplicate desk's session: build, or catch up with other processes."""
        if self._clusterer is None:
            self._clusterer = Clusterer(self.config)
            self._last_story = 0
            window = timedelta(hours=self.config.active_window_hours)
            recent = Story.objects.filter(cluster__changed_at__gte=clock.now() - window)
            self._replay(recent)
        else:
            self._replay(Story.objects.filter(pk__gt=self._last_story,
                                              cluster__isnull=False))

    def place_new(self, stories: Sequence[Story], texts: Mapping[int, str] | None = None
                  ) -> None:
        """Assign just-created stories (with their current version loaded) to clusters.
        ``texts``: their bodies as plain text by story id, when the caller has them already."""
        if not stories:
            return
        clusterer = self._ready()
        now = clock.now()
        created: dict[str, Cluster] = {}
        joined: dict[str, tuple[int, str]] = {}  # key -> (stories added, latest title)
        keys: dict[int, str] = {}
        for story in stories:
            version = story.current_version
            assert version is not None
            text = (texts or {}).get(story.pk) or html_to_text(version.body_html) or \
                version.summary
            assignment = clusterer.assign(ClusterDoc(str(story.pk), version.headline, text,
                                                     story.first_published_at))
            story.cluster_score = assignment.score
            key = keys[story.pk] = assignment.cluster_id
            active = clusterer.cluster(key)
            title = cluster_title(active)[:500] if active is not None else story.headline
            if assignment.created:
                created[key] = Cluster(key=key, title=title, created_at=now, changed_at=now,
                                       story_count=1)
            elif key in created:
                created[key].story_count += 1
                created[key].title = title
            else:
                joined[key] = (joined.get(key, (0, ""))[0] + 1, title)
            self._last_story = max(self._last_story, story.pk)
        for key, (added, title) in joined.items():
            Cluster.objects.filter(key=key).update(
                title=title, changed_at=now, story_count=F("story_count") + added)
        Cluster.objects.bulk_create(list(created.values()))
        by_key = dict(Cluster.objects.filter(key__in=[*created, *joined])
                      .values_list("key", "pk"))
        for story in stories:
            story.cluster_id = by_key.get(keys[story.pk])
        # One prepared statement for all rows: bulk_update's CASE over every row costs far more.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Story._meta.db_table} SET cluster_id = %s, cluster_score = %s "
                "WHERE id = %s",
                [(story.cluster_id, story.cluster_score, story.pk) for story in stories])

    # -------------------------------------------------------------------------------- inside

    def _ready(self) -> Clusterer:
        if self._clusterer is None:
            raise RuntimeError("ClusterDesk.sync() must run first, inside a session")
        return self._clusterer

    def _replay(self, stories: QuerySet[Story]) -> None:
        """Place stored stories into their stored clusters, oldest first."""
        clusterer = self._ready()
        rows = (stories.filter(merged_into__isnull=True, current_version__isnull=False,
                               cluster__isnull=False)
                .order_by("first_published_at", "pk")
                .values_list("pk", "current_version__headline", "current_version__body_html",
                             "current_version__summary", "first_published_at", "cluster__key"))
        for pk, headline, body_html, summary, published, key in rows:
            clusterer.place(_doc(pk, headline, body_html, summary, published), key)
            self._last_story = max(self._last_story, pk)


clusters = ClusterDesk()
