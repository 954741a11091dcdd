"""What the desk stores: sections, sources, raw payloads, stories, their versions and tombstones."""

from __future__ import annotations

import zlib

from django.db import models
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone


class Section(models.Model):
    """A part of the site (World, Business...). Sources feed into one."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Where stories come from, and the state of polling it."""

    class Transport(models.TextChoices):
        POLL = "poll", "HTTP polling"
        PUSH = "push", "HTTP push"
        FOLDER = "folder", "Drop folder"
        LOCAL = "local", "Files imported from disk"

    class Format(models.TextChoices):
        AUTO = "auto", "Detect"
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        JSONFEED = "jsonfeed", "JSON Feed"
        NINJS = "ninjs", "ninjs"
        NEWSMLG2 = "newsmlg2", "NewsML-G2"
        NITF = "nitf", "NITF"

    class DuplicatePolicy(models.TextChoices):
        # The same values as wiredesk.dedupe.Policy, which applies them.
        ALSO_REPORTED = "also-reported", "One article; list this source as also reporting"
        MERGE = "merge", "Same agency copy: merge as a new version of the story"
        KEEP_BOTH = "keep-both", "Always publish as a separate article"

    class Canonical(models.TextChoices):
        ORIGINAL = "original", "The original article"
        SELF = "self", "Our article page"

    class Mode(models.TextChoices):
        # The same values as wiredesk.core.rights.Mode.
        FULL = "full", "Full text (licensed)"
        EXCERPT = "excerpt", "Excerpt: headline, short summary, link to the original"
        HEADLINE = "headline", "Headline only: listings link to the original"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    transport = models.CharField(max_length=10, choices=Transport.choices, default=Transport.POLL)
    url = models.URLField(max_length=2000, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.AUTO)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sources")
    attribution_note = models.TextField(
        blank=True, help_text="Overrides the site's not-edited note for this source's stories; "
                              "{site} is replaced by the site name.")
    canonical_policy = models.CharField(max_length=10, choices=Canonical.choices,
                                        default=Canonical.ORIGINAL)
    publication_mode = models.CharField(
        max_length=10, choices=Mode.choices, blank=True,
        help_text="How much of this source's stories the site shows. Empty: excerpt for "
                  "publisher feeds (RSS, Atom, JSON Feed) read from the web or from disk, full "
                  "text for pushed, drop-folder and wire-format items. An item's own rights can "
                  "only make it stricter.")
    duplicate_policy = models.CharField(
        max_length=15, choices=DuplicatePolicy.choices, default=DuplicatePolicy.ALSO_REPORTED,
        help_text="What this source's stories do when another source already has the story. A "
                  "re-send from the source itself always becomes a new version.")
    topic_sections = models.JSONField(
        default=dict, blank=True,
        help_text='Sections by IPTC Media Topic for this source\'s stories, e.g. '
                  '{"medtop:15000000": "sport"}: once a story is enriched, its first topic '
                  "found here moves it to that section (slug); otherwise it stays in the "
                  "source's section.")
    is_active = models.BooleanField(default=True)
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Stories leave the site this many days after first "
                                         "publication (empty: kept).")
    push_token_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the push bearer token; set with "
                                             "`wiredesk source push-token`.")
    push_hmac_key = models.CharField(
        max_length=200, blank=True, help_text="Shared key for HMAC-SHA256 signed pushes, encrypted "
                                              "under the secret key (verifying a signature needs "
                                              "the key itself, so it cannot be hashed).")
    folder = models.CharField(max_length=1000, blank=True,
                              help_text="Drop folder watched for files (folder transport).")
    poll_interval = models.PositiveIntegerField(null=True, blank=True,
                                                help_text="Seconds; empty means the site default.")
    created_at = models.DateTimeField(default=timezone.now)

    # Polling state.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A worker holds a source until lease_until; a second worker cannot claim it meanwhile.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Which process holds the lease (wiredesk.newsroom.workers.leases): it renews the lease while
    # it works and releases it when it stops; a dead holder's lease is free once it expires.
    lease_holder = models.CharField(max_length=200, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Items this source sent that were not applied -- lost by a recovering parser, refused alone
    # (hostile, cut off, unreadable) -- however its fetches went; and what the latest payload with
    # such items lost ("recovered 24 of 25 items; ..."), cleared by a payload read whole.
    item_errors = models.PositiveIntegerField(default=0)
    last_item_problem = models.CharField(max_length=500, blank=True)
    last_item_problem_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    # A permanent redirect is adopted only when seen on consecutive polls (see refresh).
    redirect_url = models.URLField(max_length=2000, blank=True)
    redirect_seen = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RawPayload(models.Model):
    """Every payload received, kept compressed with its parse outcome. Nothing is dropped."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", "Received, not parsed yet"
        PARSED = "parsed", "Parsed"
        PARTIAL = "partial", "Parsed with problems"
        FAILED = "failed", "Could not be parsed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="payloads")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    origin = models.CharField(max_length=2000, help_text="URL fetched or file imported.")
    transport = models.CharField(max_length=10, default="poll",
                                 help_text="poll, push, folder or import")
    content_type = models.CharField(max_length=200, blank=True)
    compressed_body = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Indexed: the worker looks for payloads left RECEIVED by a crash on every recovery pass.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RECEIVED,
                               db_index=True)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=20, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    # The process processing a RECEIVED payload, until when (wiredesk.newsroom.workers.leases): a
    # payload whose process died is recovered by the next one, at once on the same machine.
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def body(self) -> bytes:
        return zlib.decompress(bytes(self.compressed_body))

    @staticmethod
    def compress(body: bytes) -> bytes:
        return zlib.compress(body, 6)


class Cluster(models.Model):
    """An event: the stories about it from every outlet ("Full coverage")."""

    key = models.CharField(max_length=40, unique=True,
                           help_text="The clusterer's id for it (its first story's id).")
    title = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    story_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("site:cluster", kwargs={"slug": str(self.pk)})


_UNMERGED = models.Q(merged_into__isnull=True)

# The enrichment queue: stories whose current version is not the one last enriched. The worker
# reads it through the partial index story_enrich_queue, whose size is the queue's, not the
# archive's (a new version moves current_version and so puts its story back in the index).
ENRICH_QUEUE = (models.Q(current_version__isnull=False, merged_into__isnull=True)
                & ~models.Q(Exact(models.F("current_version"), models.F("enriched_version"))))


class Story(models.Model):
    """One article on the site: the stable identity behind every version the source sent."""

    class Status(models.TextChoices):
        # The same values as wiredesk.core.lifecycle.Status, which decides them.
        PUBLISHED = "published", "Published"
        EMBARGOED = "embargoed", "Under embargo"
        WITHHELD = "withheld", "Withheld by the source"
        KILLED = "killed", "Killed"
        EXPIRED = "expired", "Expired"
        HELD = "held", "Held by an editor"
        UNPUBLISHED = "unpublished", "Unpublished by an editor"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="stories")
    external_id = models.CharField(max_length=1000)
    identity_basis = models.CharField(max_length=10, help_text="guid, link or hash")
    slug = models.SlugField(max_length=100)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="stories")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED,
                              db_index=True)
    current_version = models.ForeignKey("StoryVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    # Denormalised from the current version so listings need no join.
    headline = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    first_published_at = models.DateTimeField(db_index=True)
    last_updated_at = models.DateTimeField(null=True, blank=True)
    version_count = models.PositiveIntegerField(default=1)
    embargoed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.TextField(blank=True)
    status_reason = models.CharField(max_length=500, blank=True,
                                     help_text="Why the story has its status (kill reason...).")
    # Moves on every change of anything a surface shows: the basis of ETags and cache keys.
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The id of the version the enricher last enriched (0: none): see ENRICH_QUEUE above.
    enriched_version = models.BigIntegerField(default=0)

    # Duplicates across sources (see newsroom/write/duplicates.py). A story merged into another is
    # not shown on its own: as a "version" its text became a version of the other story, as a
    # "copy" its source is listed under "Also reported by" there.
    class MergeKind(models.TextChoices):
        VERSION = "version", "Same story: its text is a version of the other story"
        COPY = "copy", "Syndicated copy: listed as also reported by"

    # Indexed by the partial story_merged_into below, not the usual FK index.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged", db_index=False)
    merge_kind = models.CharField(max_length=10, choices=MergeKind.choices, blank=True)
    merged_by = models.CharField(max_length=150, blank=True,
                                 help_text="Empty when the desk decided; else the editor.")
    # The duplicate check's outcome and evidence (scores, rule, matched story) when first seen.
    duplicate_check = models.JSONField(default=dict, blank=True)
    # An editor merged or split this story by hand: the desk never merges it again by itself.
    merge_locked = models.BooleanField(default=False)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="stories")
    cluster_score = models.FloatField(null=True, blank=True)

    # The publication gate's decision (wiredesk.core.gate, applied in newsroom/write/apply.py): the
    # mode the story is shown in, the outcome and the checks that led to it, and whether it may
    # reach the top of the home page and the news sitemap (not when undated or stale).
    publication_mode = models.CharField(max_length=10, choices=Source.Mode.choices,
                                        default=Source.Mode.FULL)
    gate_outcome = models.CharField(max_length=10, blank=True,
                                    help_text="publish, excerpt, headline, hold or drop")
    gate_reasons = models.JSONField(default=list, blank=True)
    timely = models.BooleanField(
        default=True, help_text="False for an undated story or one first seen long after its "
                                "date: kept off the top of the home page and the news sitemap.")
    # What the routing rules set (wiredesk.core.rules, newsroom/write/gating.py): a place at the
    # top of the home page until a time (10 pinned, 1-9 raised), and when a story held for review
    # is released by the desk if no editor has decided by then.
    front_priority = models.PositiveSmallIntegerField(default=0)
    front_until = models.DateTimeField(null=True, blank=True)
    release_at = models.DateTimeField(null=True, blank=True)
    # Kept by publishing (wiredesk.newsroom.write.sitemap_flags): the sitemaps read such stories
    # from their own index instead of testing every story's version.
    full_without_original = models.BooleanField(
        default=False, db_default=False,
        help_text="Full text with no link to an original article: our page is canonical and in "
                  "our sitemaps whatever the source's canonical policy.")

    class Meta:
        ordering = ["-first_published_at", "-id"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="story_identity"),
        ]
        # The first page of every listing is a range scan of one of these, in listing order
        # (newest first, the id breaking ties, as keyset pagination needs). Partial: only stories
        # not merged into another, the condition every listing has; otherwise SQLite, once
        # ANALYZE has run, reads every unmerged story through the merged_into index and sorts,
        # and PostgreSQL cannot take order from an index with merged_into IS NULL inside it.
        indexes = [
            models.Index(fields=["status", "-first_published_at", "-id"],
                         name="story_listing_latest", condition=_UNMERGED),
            models.Index(fields=["section", "status", "-first_published_at", "-id"],
                         name="story_listing_section", condition=_UNMERGED),
            models.Index(fields=["source", "status", "-first_published_at", "-id"],
                         name="story_listing_source", condition=_UNMERGED),
            models.Index(fields=["cluster", "status", "-first_published_at", "-id"],
                         name="story_listing_cluster", condition=_UNMERGED),
            # The merged stories only (a few percent): SQLite's statistics count every NULL as a
            # distinct value, so a full index on merged_into looks selective for "IS NULL" and
            # is chosen over the listing indexes.
            models.Index(fields=["merged_into"], name="story_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
            # The API's ?since=: stories updated since, published before (the few updated).
            models.Index(fields=["last_updated_at"], name="story_last_updated",
                         condition=models.Q(last_updated_at__isnull=False)),
            # Stories a routing rule pinned or raised (a handful): the home page reads them first.
            models.Index(fields=["-front_priority", "-first_published_at"], name="story_front",
                         condition=models.Q(front_priority__gt=0)),
            models.Index(fields=["-first_published_at", "-id"], name="story_enrich_queue",
                         condition=ENRICH_QUEUE),
            # Stories our sitemaps list whatever their source (the news sitemap reads the last 48
            # hours of them; a source whose policy names our page canonical, its own listing).
            models.Index(fields=["status", "-first_published_at", "-id"],
                         name="story_full_without_original",
                         condition=models.Q(full_without_original=True,
                                            merged_into__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_public(self) -> bool:
        """Shown on its own (the time guards of ``queries.public_stories`` aside)."""
        return self.status == self.Status.PUBLISHED and self.merged_into_id is None

    def get_absolute_url(self) -> str:
        return reverse("site:story", kwargs={"story_id": self.pk, "slug": self.slug})

    @property
    def has_page(self) -> bool:
        """False in headline mode: listings link to the original, our URL redirects there."""
        return self.publication_mode != Source.Mode.HEADLINE

    @property
    def listing_url(self) -> str:
        """Where a listing links: our page, or the original for a headline-only story."""
        version = self.current_version
        link = version.link.strip() if version is not None else ""
        # Only http(s): a feed could carry a javascript: or data: URL into our href.
        if not self.has_page and link.lower().startswith(("http://", "https://")):
            return link
        return self.get_absolute_url()


class StoryVersion(models.Model):
    """A version of a story as the source sent it, normalised. Every version is kept."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    # False for a late, older version kept in history without replacing the current one.
    is_superseded = models.BooleanField(default=False)
    headline = models.CharField(max_length=500)
    byline = models.CharField(max_length=500, blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    body_html = models.TextField()
    summary = models.TextField(blank=True)
    link = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=20, blank=True)
    images = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField()
    source_updated_at = models.DateTimeField(null=True, blank=True)
    date_is_fallback = models.BooleanField(
        default=False,
        help_text="The source's date could not be read; the time received stands in.")
    unparsed_dates = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    # What the source said about this version's life (wire formats; RSS leaves the defaults).
    source_version = models.CharField(max_length=100, blank=True)
    version_number = models.BigIntegerField(null=True, blank=True)
    version_created = models.DateTimeField(null=True, blank=True)
    pubstatus = models.CharField(max_length=10, default="usable")
    signals = models.JSONField(default=list, blank=True)
    correction_note = models.TextField(blank=True)
    embargoed_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    located = models.CharField(max_length=200, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    urgency = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.ForeignKey(RawPayload, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="versions")
    # The duplicate detector's fingerprint of the text (wiredesk.dedupe), kept so the index can be
    # rebuilt at start without re-reading any text. Empty on versions mirrored from a merged story.
    fingerprint = models.BinaryField(null=True, blank=True, editable=False)
    # Set when this version is the text of another story merged into this one (another feed's
    # copy, or a re-send under a new id): where it came from, for history and for a split.
    from_story = models.ForeignKey("Story", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="mirrored_versions")

    class Meta:
        ordering = ["story", "number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.headline} (v{self.number})"


class Tombstone(models.Model):
    """An identity that must never be published again (its story was deleted by an editor)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tombstones")
    external_id = models.CharField(max_length=1000)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="tombstone_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_id}"


class StoryEvent(models.Model):
    """One step of a story's life (created, new version, stale copy, kill, embargo lifted...),
    with its time and cause: the lifecycle the admin shows."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20)
    status = models.CharField(max_length=12, blank=True, help_text="The status afterwards.")
    version = models.ForeignKey(StoryVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    cause = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["story", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"


class Entity(models.Model):
    """A person, organisation, place, country or topic, across stories: one row per key."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        PLACE = "place", "Place"
        COUNTRY = "country", "Country"
        TOPIC = "topic", "Topic"

    key = models.CharField(max_length=200, unique=True,
                           help_text='"person:joe-biden", "country:mx", "topic:medtop:11000000"')
    kind = models.CharField(max_length=15, choices=Kind.choices, db_index=True)
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    code = models.CharField(max_length=40, blank=True,
                            help_text="ISO 3166-1 alpha-2 for countries, the qcode for topics.")
    aliases = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Sure enough for an indexable page, article links and the sitemap (enrich.linking): some
    # story links it. Other entities keep a page (noindex) so that no URL ever breaks.
    linked = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("site:entity", kwargs={"slug": self.slug})


class Enrichment(models.Model):
    """What enrichment found in a story's current version (``data``: the API's shape), and which
    enricher version found it: re-running after an upgrade redoes only what is out of date."""

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="enrichment")
    version = models.CharField(max_length=40, db_index=True)
    content_hash = models.CharField(max_length=64,
                                    help_text="The story version's content hash enriched.")
    enriched_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.story_id} @ {self.version}"


class StoryEntity(models.Model):
    """A story names an entity (``count`` times); what entity pages and feeds list."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="entity_links")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="story_links")
    count = models.PositiveIntegerField(default=1)
    rank = models.PositiveSmallIntegerField(default=0, help_text="0 is the most salient.")
    # The story's first publication, copied here by publishing.publish_changes so that an
    # entity's listing is one index range scan in listing order rather than a sort of all its
    # stories.
    published_at = models.DateTimeField(null=True, blank=True)
    # This story's evidence (with other stories' support) links the entity (enrich.linking).
    linked = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "entity"], name="story_entity")]
        indexes = [models.Index(fields=["entity", "linked"], name="story_entity_linked"),
                   models.Index(fields=["entity", "story"]),
                   models.Index(fields=["entity", "-published_at", "-story"],
                                name="story_entity_listing")]


class StoryQuote(models.Model):
    """A direct quotation in a story, with its speaker: the per-person quote index."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="quotes")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    speaker_name = models.CharField(max_length=300, blank=True)
    speaker = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="quotes")
    # The story's first publication, copied here when it is published (like StoryEntity's), so
    # that a person's quotes are one index range scan in listing order, not a sort of all of them.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["story", "position"]
        indexes = [models.Index(fields=["speaker", "-published_at", "-story", "position"],
                                name="story_quote_listing")]


class EntityAlias(models.Model):
    """Another name an entity goes by ("lopez obrador" for Andres Manuel Lopez Obrador), folded:
    a story that uses only that name is linked to the entity instead of starting a new one."""

    alias = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=15)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="alias_rows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alias", "kind", "entity"],
                                               name="entity_alias")]


class ListingState(models.Model):
    """The version of one public listing ("all", "section:<slug>", "entity:<slug>"...): what its
    pages', feeds' and API lists' validators are read from, in one indexed row read.

    :func:`wiredesk.newsroom.write.publishing.publish_changes` bumps the row of every listing a
    changed story was in or is now in; nothing else writes here.
    """

    key = models.CharField(max_length=250, unique=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # An event's listing (cluster:<id>) only: its public stories and their distinct sources as
    # of its last bump, what the front page ranks events by (wiredesk.newsroom.write.event_sizes),
    # good until ``public_until`` (a story of it reaching its embargo or expiry time) or for
    # good when that is empty; empty counts are not known (counted from the stories).
    public_stories = models.PositiveIntegerField(null=True, blank=True)
    public_sources = models.PositiveIntegerField(null=True, blank=True)
    public_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class StoryListings(models.Model):
    """The listings a story was in when last published (keys, one a line): a change bumps these
    as well as the ones it is in now, so a story leaving a listing changes that listing too."""

    story = models.OneToOneField(Story, primary_key=True, on_delete=models.CASCADE,
                                 related_name="+")
    keys = models.TextField(blank=True)


# The desks' state tables live in their own module; imported here so Django registers them.
from wiredesk.newsroom.health.models import SourceAlert, SourceDay, SourceHealth  # noqa: E402, F401
from wiredesk.newsroom.imagemodels import Picture, PictureCheck  # noqa: E402, F401
from wiredesk.newsroom.outbox.models import Delivery, SentState, Subscriber  # noqa: E402, F401
from wiredesk.newsroom.rules import HeldStory, Rule  # noqa: E402, F401
from wiredesk.newsroom.write.deskstate import (  # noqa: E402, F401
    ClusterPosting,
    ClusterSummary,
    DeskCounter,
    DuplicateKey,
    TermCount,
)
