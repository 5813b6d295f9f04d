"""Forms of the text analytics pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxm.accounts.models import User
from cxm.channels.models import Channel
from cxm.common.forms import CxmForm, LocalizedDateField
from cxm.core.nlp.base import LANGUAGES
from cxm.textanalytics.models import (
    Intent,
    SentimentLabel,
    SocialPlatform,
    SourceKind,
    TextLanguage,
    Topic,
)

LANGUAGE_NAMES = dict(TextLanguage.choices)


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class ExplorerFilterForm(CxmForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), choices=_any(SentimentLabel.choices), required=False
    )
    intent = forms.ChoiceField(label=_("Intent"), choices=_any(Intent.choices), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=_any(TextLanguage.choices), required=False
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Source"), choices=_any(SourceKind.choices), required=False)
    date_from = LocalizedDateField(label=_("From"), required=False)
    date_to = LocalizedDateField(label=_("To"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        topic_field: Any = self.fields["topic"]
        topic_field.queryset = Topic.objects.order_by("code")
        channel_field: Any = self.fields["channel"]
        channel_field.queryset = Channel.objects.order_by("position", "code")

    def filters(self) -> dict[str, Any]:
        """The valid filters as the selector takes them (ids for topic and channel)."""
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        for name in ("topic", "channel"):
            data[name] = data[name].pk if data.get(name) else None
        return data


class RelabelForm(CxmForm):
    """An analyst's correction; an empty choice leaves the field as it is."""

    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        choices=[("", _("Unchanged")), *SentimentLabel.choices],
        required=False,
    )
    intent = forms.ChoiceField(
        label=_("Intent"), choices=[("", _("Unchanged")), *Intent.choices], required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.none(), required=False
    )
    set_topics = forms.BooleanField(
        label=_("Replace the topics"), required=False, widget=forms.HiddenInput, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topics"]
        field.queryset = Topic.objects.order_by("code")


def _phrase_lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class TopicForm(CxmForm):
    """A topic with a name, keywords and example phrases per language (one per line)."""

    code = forms.SlugField(label=_("Code"), max_length=50)
    parent = forms.ModelChoiceField(
        label=_("Parent topic"), queryset=Topic.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Receives the alerts about this topic's emerging issues."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, topic: Topic | None = None, **kwargs: Any):
        if topic is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "code": topic.code,
                "parent": topic.parent_id,
                "owner": topic.owner_id,
                "is_active": topic.is_active,
            }
            for language in LANGUAGES:
                initial[f"name_{language}"] = (topic.names or {}).get(language, "")
                initial[f"keywords_{language}"] = "\n".join(topic.keywords_for(language))
                initial[f"examples_{language}"] = "\n".join(topic.examples_for(language))
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            name = LANGUAGE_NAMES[language]
            self.fields[f"name_{language}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name}, required=False, max_length=200
            )
            self.fields[f"keywords_{language}"] = forms.CharField(
                label=_("Keywords (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": language}),
                help_text=_("One keyword or phrase per line."),
            )
            self.fields[f"examples_{language}"] = forms.CharField(
                label=_("Example comments (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": language}),
                help_text=_("One example per line."),
            )
        parent: Any = self.fields["parent"]
        others = Topic.objects.order_by("code")
        parent.queryset = others.exclude(pk=topic.pk) if topic is not None else others
        owner: Any = self.fields["owner"]
        owner.queryset = User.objects.filter(is_active=True).order_by("username")

    def payload(self) -> dict[str, Any]:
        """The cleaned form as `topic_save` arguments."""
        data = self.cleaned_data
        return {
            "code": data["code"],
            "parent": data.get("parent"),
            "owner": data.get("owner"),
            "is_active": bool(data.get("is_active")),
            "names": {lang: data[f"name_{lang}"] for lang in LANGUAGES if data.get(f"name_{lang}")},
            "keywords": {lang: _phrase_lines(data[f"keywords_{lang}"]) for lang in LANGUAGES},
            "examples": {lang: _phrase_lines(data[f"examples_{lang}"]) for lang in LANGUAGES},
        }


class SocialImportForm(CxmForm):
    platform = forms.ChoiceField(
        label=_("Platform"),
        choices=SocialPlatform.choices,
        help_text=_("For posts that name no platform."),
    )
    file = forms.FileField(
        label=_("JSON export"),
        help_text=_(
            "A list of posts with text, date and optionally id, author, link and platform."
        ),
    )
