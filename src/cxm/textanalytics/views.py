"""Text analytics pages: the explorer (search, filters, trend per topic, phrases, the
comments and relabelling in place), the topic taxonomy, the social import and retraining.

Everybody signed in reads; the masked text is shown unless the reader has `pii.view`.
Changes need `text.change`; each calls one service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator
from cxm.textanalytics import selectors, services, training
from cxm.textanalytics.forms import ExplorerFilterForm, RelabelForm, SocialImportForm, TopicForm
from cxm.textanalytics.importer import social_posts_from_json
from cxm.textanalytics.models import (
    SentimentModelVersion,
    SocialPost,
    SourceKind,
    TextItem,
    Topic,
    TrainingRun,
)

PAGE_SIZE = 25
TREND_WEEKS = 26
SOCIAL_KINDS = (SourceKind.SOCIAL_POST, SourceKind.IMPORTED_REVIEW)


class ExplorerPaginator(CappedPaginator):
    """Counts stop at 1,000 ("1,000+"); past the cap, LIMIT/OFFSET pages."""

    count_cap = 1_000

    def page(self, number: Any) -> Any:
        if self.count_capped:
            return Paginator.page(self, number)
        return super().page(number)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _can_change(request: HttpRequest) -> bool:
    return user_can(request.user, Capability.TEXT_CHANGE)


def _rows(request: HttpRequest, items: list[TextItem]) -> list[dict[str, Any]]:
    """What the templates show per item: the text (masked unless pii.view), topics, a link
    to where it came from. At most three queries for a page, whatever its size."""
    unredacted = user_can(request.user, Capability.PII_VIEW)
    topics = selectors.with_topics(items)
    case_of = selectors.cases_of_messages(
        [i.source_id for i in items if i.source_kind == SourceKind.CASE_MESSAGE]
    )
    links = selectors.social_links([i.source_id for i in items if i.source_kind in SOCIAL_KINDS])
    return [
        {
            "item": item,
            "text": item.shown_text(unredacted=unredacted),
            "topics": topics[item.pk],
            "source_url": _source_url(item, case_of, links),
        }
        for item in items
    ]


def _source_url(item: TextItem, case_of: dict[int, int], links: dict[int, str]) -> str:
    if item.source_kind == SourceKind.SURVEY_ANSWER and item.survey_id:
        return reverse("analytics:survey-responses", args=[item.survey_id])
    if item.source_kind == SourceKind.CASE_MESSAGE and item.source_id in case_of:
        return reverse("cases:detail", args=[case_of[item.source_id]])
    if item.source_kind in SOCIAL_KINDS:
        return links.get(item.source_id, "")
    return ""


def _trend_chart(trend: selectors.TopicTrend, *, rtl: bool) -> dict[str, Any]:
    language = get_language() or "en"
    return {
        "rtl": rtl,
        "categories": [week.isoformat() for week in trend.weeks],
        "series": [
            {"name": trend.topics[t].name_for(language), "data": counts}
            for t, counts in trend.series.items()
            if t in trend.topics
        ],
    }


class ExplorerView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = ExplorerFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {}
        items = selectors.text_items_filter(filters)
        page = ExplorerPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        # Without a period the trend covers the last TREND_WEEKS weeks (bounded work).
        trend_items = items
        if not filters.get("date_from"):
            trend_items = items.filter(
                created_at__gte=timezone.now() - dt.timedelta(weeks=TREND_WEEKS)
            )
        trend = selectors.topic_trend(trend_items)
        words, pairs, read = selectors.phrase_frequencies(items)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "textanalytics/explorer.html",
            {
                "filter_form": form,
                "page_obj": page,
                "paginator": page.paginator,
                "rows": _rows(request, list(page.object_list)),
                "trend": trend,
                "trend_headers": [
                    trend.topics[t].display_name for t in trend.series if t in trend.topics
                ],
                "trend_rows": [
                    (week, [counts[i] for t, counts in trend.series.items() if t in trend.topics])
                    for i, week in enumerate(trend.weeks)
                ],
                "chart_data": _trend_chart(trend, rtl=request.LANGUAGE_CODE in ("fa", "ar")),
                "words": words,
                "pairs": pairs,
                "phrases_read": read,
                "phrases_capped": read >= selectors.PHRASE_SAMPLE,
                "can_change": _can_change(request),
                "relabel_form": RelabelForm(),
                "querystring": query.urlencode(),
            },
        )


class TextItemView(CapabilityRequiredMixin, View):
    """One text: the drill-down, with its analysis and the relabel form."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(TextItem.objects.select_related("channel", "corrected_by"), pk=pk)
        return self._render(request, item, RelabelForm())

    def _render(
        self, request: HttpRequest, item: TextItem, form: RelabelForm, status: int = 200
    ) -> HttpResponse:
        row = _rows(request, [item])[0]
        template = "textanalytics/_item.html" if _is_htmx(request) else "textanalytics/item.html"
        return render(
            request,
            template,
            {"row": row, "relabel_form": form, "can_change": _can_change(request)},
            status=status,
        )


class TextItemRelabelView(TextItemView):
    capability = Capability.TEXT_CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        item = get_object_or_404(TextItem, pk=pk)
        form = RelabelForm(request.POST)
        if not form.is_valid():
            return self._render(request, item, form, status=400)
        data = form.cleaned_data
        try:
            services.text_item_relabel(
                item=item,
                actor=request.user,
                sentiment=data["sentiment"] or None,
                intent=data["intent"] or None,
                topic_ids=[t.pk for t in data["topics"]] if data.get("set_topics") else None,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self._render(request, item, form, status=400)
        if _is_htmx(request):
            return self._render(request, item, RelabelForm())
        messages.success(request, _("The correction was saved."))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = reverse("textanalytics:item", args=[item.pk])
        return HttpResponseRedirect(back)


# ----------------------------------------------------------------------------- topics


class TopicListView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        topics = Topic.objects.select_related("parent", "owner").order_by("code")
        return render(
            request,
            "textanalytics/topics.html",
            {"topics": topics, "can_change": _can_change(request), "language": get_language()},
        )


class TopicEditView(CapabilityRequiredMixin, View):
    """Create (no pk) or change a topic."""

    capability = Capability.TEXT_CHANGE

    def _topic(self, pk: int | None) -> Topic | None:
        return get_object_or_404(Topic, pk=pk) if pk is not None else None

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        topic = self._topic(pk)
        return self._render(request, TopicForm(topic=topic), topic)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
        topic = self._topic(pk)
        form = TopicForm(request.POST, topic=topic)
        if form.is_valid():
            try:
                saved = services.topic_save(topic=topic, **form.payload())
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except Exception as exc:  # full_clean: e.g. a code already taken
                from django.core.exceptions import ValidationError

                if not isinstance(exc, ValidationError):
                    raise
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The topic %(code)s was saved.") % {"code": saved.code})
                return HttpResponseRedirect(reverse("textanalytics:topics"))
        return self._render(request, form, topic, status=400)

    def _render(
        self, request: HttpRequest, form: TopicForm, topic: Topic | None, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "textanalytics/topic_form.html", {"form": form, "topic": topic}, status=status
        )


class TopicDeleteView(CapabilityRequiredMixin, View):
    capability = Capability.TEXT_CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        topic = get_object_or_404(Topic, pk=pk)
        services.topic_delete(topic=topic)
        messages.success(request, _("The topic %(code)s was deleted.") % {"code": topic.code})
        return HttpResponseRedirect(reverse("textanalytics:topics"))


# ----------------------------------------------------------------------------- social


class SocialImportView(CapabilityRequiredMixin, View):
    """JSON exports here; CSV and XLSX through the generic importer (column mapping)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, SocialImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _can_change(request):
            return HttpResponse(status=403)
        form = SocialImportForm(request.POST, request.FILES)
        result = None
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = social_posts_from_json(
                    upload,
                    default_platform=form.cleaned_data["platform"],
                    actor=request.user,
                    size=upload.size,
                )
                status = 200
            except ApplicationError as exc:
                form.add_error("file", exc.message)
        return self._render(request, form, result, status=status)

    def _render(
        self, request: HttpRequest, form: SocialImportForm, result: Any = None, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "textanalytics/social.html",
            {
                "form": form,
                "result": result,
                "can_change": _can_change(request),
                "recent": SocialPost.objects.order_by("-created_at", "-id")[:20],
            },
            status=status,
        )


# --------------------------------------------------------------------------- training


class TrainingView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "textanalytics/training.html",
            {
                "runs": [
                    (run, training.metrics_table(run.metrics))
                    for run in TrainingRun.objects.select_related("started_by", "model_version")[
                        :20
                    ]
                ],
                "versions": [
                    (version, training.metrics_table(version.metrics))
                    for version in SentimentModelVersion.objects.select_related("trained_by")[:50]
                ],
                "can_change": _can_change(request),
            },
        )


class RetrainView(CapabilityRequiredMixin, View):
    capability = Capability.TEXT_CHANGE

    def post(self, request: HttpRequest) -> HttpResponseBase:
        try:
            training.training_run_start(actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Retraining started; this page shows its result when it is done.")
            )
        return HttpResponseRedirect(reverse("textanalytics:training"))


class ModelActivateView(CapabilityRequiredMixin, View):
    """Make a version (or, with pk 0, the default model) the active one: a manual rollback."""

    capability = Capability.TEXT_CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        version = get_object_or_404(SentimentModelVersion, pk=pk) if pk else None
        training.model_version_activate(version=version)
        messages.success(request, _("The active sentiment model was changed."))
        return HttpResponseRedirect(reverse("textanalytics:training"))
