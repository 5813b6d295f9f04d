"""Text analytics: the organisation's topic taxonomy, every analysed text (survey comments,
inbound case messages, social posts, imported reviews), the sentiment model versions and
the retraining runs.

A `TextItem` keeps what the pipeline said (language, sentiment, intent, topics, model
version) and, apart, what an analyst corrected (strong labels). The fields `sentiment`,
`intent` and `topics` are the *effective* values that filters and insight read: a
correction overwrites them and a later re-analysis leaves corrected fields alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel
from cxm.core.nlp.base import INTENTS, SENTIMENTS
from cxm.core.text import normalize_search


class SentimentLabel(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Intent(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    RETURN_REFUND = "return_refund", _("Return or refund request")
    ORDER = "order", _("Order or purchase")
    PRAISE = "praise", _("Praise")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", _("Other")


assert tuple(SentimentLabel.values) == SENTIMENTS  # the shared shapes and the choices agree
assert tuple(Intent.values) == INTENTS


class TextLanguage(models.TextChoices):
    FA = "fa", _("Persian")
    AR = "ar", _("Arabic")
    HU = "hu", _("Hungarian")
    EN = "en", _("English")
    OTHER = "other", _("Other")


class SourceKind(models.TextChoices):
    SURVEY_ANSWER = "survey_answer", _("Survey comment")
    CASE_MESSAGE = "case_message", _("Case message")
    SOCIAL_POST = "social_post", _("Social post")
    IMPORTED_REVIEW = "imported_review", _("Imported review")


class Topic(BaseModel):
    """One category of the organisation's taxonomy: names, keywords and example phrases per
    language ({"fa": [...], "en": [...]}); its owner hears about its emerging issues."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    names = models.JSONField(_("names"), default=dict, blank=True)
    keywords = models.JSONField(_("keywords"), default=dict, blank=True)
    examples = models.JSONField(_("example phrases"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_topics",
        help_text=_("Receives the alerts about this topic's emerging issues."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.code

    def name_for(self, language: str) -> str:
        """The name in `language`, else English, else any, else the code."""
        names = self.names or {}
        return str(
            names.get(language) or names.get("en") or next(iter(names.values()), "") or self.code
        )

    @property
    def display_name(self) -> str:
        """The name in the active language (templates)."""
        return self.name_for(get_language() or "en")

    def keywords_for(self, language: str) -> list[str]:
        return list((self.keywords or {}).get(language) or [])

    def examples_for(self, language: str) -> list[str]:
        return list((self.examples or {}).get(language) or [])


class SentimentModelVersion(models.Model):
    """A trained sentiment model on disk (`path`, read by `cxm.core.nlp.trained.load_model`).
    At most one is active; with none, the pipeline's default model answers."""

    version = models.CharField(_("version"), max_length=100, unique=True)
    path = models.CharField(_("path"), max_length=500)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sentiment model version")
        verbose_name_plural = _("sentiment model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="sentimentmodel_one_active",
            )
        ]

    def __str__(self) -> str:
        return self.version


class TrainingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TrainingRun(models.Model):
    """One press of "Retrain sentiment": what it trained on, the comparison with the active
    model and whether the new model replaced it."""

    status = models.CharField(
        _("status"), max_length=10, choices=TrainingStatus.choices, default=TrainingStatus.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    weak_labels = models.PositiveIntegerField(_("weak labels"), default=0)
    strong_labels = models.PositiveIntegerField(_("corrections"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    activated = models.BooleanField(_("activated"), default=False)
    model_version = models.ForeignKey(
        SentimentModelVersion,
        verbose_name=_("model version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")

    def __str__(self) -> str:
        return f"training #{self.pk} ({self.status})"


class SocialPlatform(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X (Twitter)")
    FACEBOOK = "facebook", _("Facebook")
    LINKEDIN = "linkedin", _("LinkedIn")
    REVIEWS = "reviews", _("Review site")
    OTHER = "other", _("Other")


class SocialPost(models.Model):
    """A public post (imported from an export or read by the Telegram bot in a channel or
    group). Its text is analysed as a TextItem of kind social_post."""

    platform = models.CharField(_("platform"), max_length=20, choices=SocialPlatform.choices)
    external_id = models.CharField(_("post id"), max_length=200, blank=True)
    author_handle = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    posted_at = models.DateTimeField(_("posted at"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        constraints = [
            # Re-importing an export (or Telegram delivering an update again) adds nothing.
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~models.Q(external_id=""),
                name="socialpost_platform_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id or self.pk}"


class TextItem(models.Model):
    """One analysed (or waiting) text. `analysed_at` is null until the pipeline ran."""

    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_id = models.BigIntegerField(_("source id"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A survey comment goes with its response (deleting a response deletes what it said).
    response = models.ForeignKey(
        "surveys.Response",
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="text_items",
    )
    created_at = models.DateTimeField(_("written at"))
    text = models.TextField(_("text"))
    redacted_text = models.TextField(_("redacted text"), blank=True)
    # normalize_search(redacted_text): search never matches on masked personal data.
    search_text = models.TextField(editable=False, default="")
    language = models.CharField(
        _("language"), max_length=8, choices=TextLanguage.choices, blank=True
    )
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=SentimentLabel.choices, blank=True
    )
    sentiment_score = models.FloatField(_("sentiment score"), null=True, blank=True)
    sentiment_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    intent = models.CharField(_("intent"), max_length=20, choices=Intent.choices, blank=True)
    intent_confidence = models.FloatField(_("intent confidence"), null=True, blank=True)
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="text_items",
        through="TextItemTopic",
    )
    model_version = models.CharField(_("model version"), max_length=100, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    corrected_sentiment = models.CharField(
        _("corrected sentiment"), max_length=10, choices=SentimentLabel.choices, blank=True
    )
    corrected_intent = models.CharField(
        _("corrected intent"), max_length=20, choices=Intent.choices, blank=True
    )
    topics_corrected = models.BooleanField(_("topics corrected"), default=False)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysed text")
        verbose_name_plural = _("analysed texts")
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id"], name="textitem_one_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="textitem_recent"),
            models.Index(fields=["language", "-created_at"], name="textitem_language_time"),
            models.Index(fields=["sentiment", "-created_at"], name="textitem_sentiment_time"),
            models.Index(fields=["intent", "-created_at"], name="textitem_intent_time"),
            models.Index(fields=["channel", "-created_at"], name="textitem_channel_time"),
            models.Index(
                fields=["id"], condition=models.Q(analysed_at__isnull=True), name="textitem_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.source_id}"

    @property
    def is_corrected(self) -> bool:
        return bool(self.corrected_at)

    def set_redacted(self, redacted: str) -> None:
        self.redacted_text = redacted
        self.search_text = normalize_search(redacted)

    def shown_text(self, *, unredacted: bool) -> str:
        """What a reader sees: the original with pii.view, else the masked text ("" while
        the text waits for analysis, which masks it)."""
        return self.text if unredacted else self.redacted_text


class TextItemTopic(models.Model):
    text_item = models.ForeignKey(TextItem, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["text_item", "topic"], name="textitemtopic_unique")
        ]
        indexes = [models.Index(fields=["topic", "text_item"], name="textitemtopic_topic")]

    def __str__(self) -> str:
        return f"{self.text_item_id}:{self.topic_id}"


class EmergingIssueAlert(models.Model):
    """An emerging issue found by the daily job (cxm.textanalytics.insights): recorded once
    per topic, window length and last day, so its owner is told once."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="alerts"
    )
    recent_days = models.PositiveSmallIntegerField(_("window (days)"))
    last_day = models.DateField(_("last day of the window"))
    recent_count = models.PositiveIntegerField(_("mentions in the window"))
    recent_total = models.PositiveIntegerField(_("texts in the window"))
    baseline_count = models.PositiveIntegerField(_("mentions in the baseline"))
    baseline_total = models.PositiveIntegerField(_("texts in the baseline"))
    rate_ratio = models.FloatField(_("rate ratio"), null=True, blank=True)  # null: new topic
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    q_value = models.FloatField(_("q-value"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-last_day", "-id"]
        verbose_name = _("emerging-issue alert")
        verbose_name_plural = _("emerging-issue alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "recent_days", "last_day"], name="emergingissuealert_once"
            )
        ]
        indexes = [models.Index(fields=["-last_day"], name="emergingissuealert_recent")]

    def __str__(self) -> str:
        return f"{self.topic_id}@{self.last_day}"
