from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxm.cases.inbound import InboundMessage, inbound_receive
from cxm.common.exceptions import ApplicationError
from cxm.surveys.models import Response
from cxm.surveys.signals import responses_saved
from cxm.textanalytics import engine, selectors, services, tasks
from cxm.textanalytics.models import (
    SentimentModelVersion,
    SourceKind,
    TextItem,
    TextItemTopic,
)
from cxm.textanalytics.tests import fakes
from cxm.textanalytics.tests.helpers import item, nps_survey, respond, topic

pytestmark = pytest.mark.django_db


def test_survey_comments_are_queued_after_commit_stored_and_analysed(
    django_capture_on_commit_callbacks,
):
    delivery = topic("delivery", en=["late"], fa=["تاخیر"])
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = respond(survey, nps=2, reason="The parcel was late, call me on +98 912 123 4567")
        # Nothing is analysed inside the response's transaction: only a task is queued.
        assert not TextItem.objects.exists()
    assert callbacks
    for callback in callbacks:
        callback()
    stored = TextItem.objects.get()
    assert (stored.source_kind, stored.response_id, stored.survey_id) == (
        SourceKind.SURVEY_ANSWER,
        response.pk,
        survey.pk,
    )
    assert stored.created_at == response.submitted_at
    assert (stored.language, stored.sentiment, stored.intent) == ("en", "negative", "complaint")
    assert stored.model_version == "fake-1" and stored.analysed_at is not None
    assert list(stored.topics.all()) == [delivery]
    assert "[PHONE]" in stored.redacted_text and "912" not in stored.redacted_text
    assert "912" not in stored.search_text


def test_response_without_comment_stores_nothing(django_capture_on_commit_callbacks):
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, nps=10, reason="")
    assert not TextItem.objects.exists()


def test_signal_with_many_responses_queues_few_tasks(
    django_capture_on_commit_callbacks, monkeypatch
):
    batches: list[int] = []
    stub = SimpleNamespace(enqueue=lambda ids: batches.append(len(ids)))
    monkeypatch.setattr(tasks, "analyse_responses", stub)
    with django_capture_on_commit_callbacks(execute=True):
        responses_saved.send(sender=Response, response_ids=list(range(1, 4_501)))
    assert batches == [2_000, 2_000, 500]


def test_inbound_case_message_is_analysed_but_not_replies(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_receive(
            InboundMessage(
                channel="email",
                source="email",
                external_id="<m1@example.com>",
                body="My order arrived broken",
                email="sara@example.com",
                subject="Broken",
            )
        )
    stored = TextItem.objects.get(source_kind=SourceKind.CASE_MESSAGE)
    assert stored.source_id == result.message.pk
    assert stored.customer_id == result.case.customer_id
    assert stored.channel_id == result.message.channel_id or result.case.channel_id
    assert stored.sentiment == "negative"
    # An agent's reply is not the customer's feedback.
    from cxm.cases.models import CaseMessage, MessageKind

    with django_capture_on_commit_callbacks(execute=True):
        CaseMessage.objects.create(
            case=result.case,
            kind=MessageKind.OUTBOUND,
            body="So sorry",
            created_at=stored.created_at,
        )
    assert TextItem.objects.count() == 1


def test_analysis_runs_in_batches_and_is_idempotent():
    rows = [item(f"good text {i}", analyse=False) for i in range(7)]
    fakes.calls.clear()
    assert services.text_items_analyse(batch_size=3) == 7
    assert fakes.calls == [3, 3, 1]
    assert services.text_items_analyse() == 0  # nothing waits any more
    assert services.text_items_analyse(item_ids=[rows[0].pk]) == 0
    assert services.text_items_analyse(item_ids=[rows[0].pk], reanalyse=True) == 1


def test_analysis_queries_do_not_grow_with_the_batch():
    topic("quality", en=["good"])
    for i in range(3):
        item(f"good {i}", analyse=False)
    with CaptureQueriesContext(connection) as small:
        services.text_items_analyse()
    for i in range(30):
        item(f"good {i}", analyse=False)
    with CaptureQueriesContext(connection) as large:
        services.text_items_analyse()
    assert len(large) == len(small)


def test_relabel_survives_reanalysis_and_is_validated(make_user):
    analyst = make_user("analyst")
    price = topic("price", en=["expensive"])
    stored = item("bad service")
    assert stored.sentiment == "negative"
    services.text_item_relabel(
        item=stored, actor=analyst, sentiment="positive", intent="praise", topic_ids=[price.pk]
    )
    services.text_items_analyse(item_ids=[stored.pk], reanalyse=True)
    stored.refresh_from_db()
    assert (stored.sentiment, stored.corrected_sentiment, stored.intent) == (
        "positive",
        "positive",
        "praise",
    )
    assert stored.sentiment_score == 1.0 and stored.corrected_by == analyst
    assert list(stored.topics.all()) == [price]
    with pytest.raises(ApplicationError):
        services.text_item_relabel(item=stored, actor=analyst, sentiment="angry")
    with pytest.raises(ApplicationError):
        services.text_item_relabel(item=stored, actor=analyst, topic_ids=[999_999])


def test_active_model_is_loaded_once_and_recorded_on_predictions(monkeypatch):
    loads: list[str] = []

    def load(path: str) -> fakes.FakeModel:
        loads.append(path)
        return fakes.FakeModel(path)

    monkeypatch.setattr(fakes, "load_model", load)
    SentimentModelVersion.objects.create(version="v2", path="/models/v2", is_active=True)
    item("good one")
    item("good two")
    assert loads == ["/models/v2"]
    assert set(TextItem.objects.values_list("model_version", flat=True)) == {"trained:v2"}
    SentimentModelVersion.objects.update(is_active=False)
    assert engine.active_model() is None


def test_catch_up_stores_what_a_crash_left_behind(django_capture_on_commit_callbacks):
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=False):  # the task never ran
        respond(survey, nps=3, reason="bad support")
    assert not TextItem.objects.exists()
    waiting = item("good", analyse=False)
    assert tasks.catch_up.call() == 2
    assert TextItem.objects.filter(analysed_at__isnull=True).count() == 0
    assert TextItem.objects.filter(pk=waiting.pk, sentiment="positive").exists()


def test_analyze_backlog_command_is_resumable(django_capture_on_commit_callbacks, capsys):
    from django.core.management import call_command

    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=False):
        for i in range(3):
            respond(survey, nps=9, reason=f"good {i}")
    call_command("analyze_backlog", "--batch-size", "2")
    assert TextItem.objects.filter(analysed_at__isnull=False).count() == 3
    call_command("analyze_backlog")
    out = capsys.readouterr()
    assert out.out.strip().endswith("0 texts analysed.")


def test_comment_analysis_for_responses_takes_the_most_negative_comment():
    survey = nps_survey()
    r1 = respond(survey, nps=1, reason="late again")
    r2 = respond(survey, nps=9, reason="good")
    r3 = respond(survey, nps=9, reason="")
    delivery = topic("delivery", en=["late"])
    services.text_items_from_responses(response_ids=[r1.pk, r2.pk, r3.pk])
    # A second comment of r1, positive: the negative one still speaks for the response.
    TextItem.objects.create(
        source_kind=SourceKind.IMPORTED_REVIEW,
        source_id=1,
        response=r1,
        text="good staff",
        created_at=r1.submitted_at,
    )
    TextItem.objects.filter(source_id=1).update(source_kind=SourceKind.SURVEY_ANSWER)
    services.text_items_analyse()
    result = selectors.comment_analysis_for_responses([r1.pk, r2.pk, r3.pk])
    assert set(result) == {r1.pk, r2.pk}
    assert result[r1.pk].sentiment.label == "negative"
    assert result[r1.pk].topics == (delivery.code,)
    assert result[r2.pk].sentiment.label == "positive"
    assert selectors.comment_analysis_for_responses([]) == {}


def test_topic_save_cleans_keywords_and_refuses_cycles():
    parent = topic("service")
    child = services.topic_save(
        code="wait",
        names={"en": "Waiting"},
        keywords={"fa": ["  صف ", "صف", "منتظر"], "en": "queue"},
        examples={},
        parent=parent,
    )
    assert child.keywords == {"fa": ["صف", "منتظر"], "en": ["queue"]}
    with pytest.raises(ApplicationError):
        services.topic_save(
            topic=parent, code="service", names={}, keywords={}, examples={}, parent=child
        )
    with pytest.raises(ApplicationError):
        services.topic_save(code="x", names={}, keywords={"xx": ["a"]}, examples={})
    services.topic_delete(topic=parent)
    child.refresh_from_db()
    assert child.parent is None


def test_deleting_a_topic_removes_its_links():
    t = topic("delivery", en=["late"])
    stored = item("late")
    assert TextItemTopic.objects.filter(text_item=stored, topic=t).exists()
    services.topic_delete(topic=t)
    assert not TextItemTopic.objects.exists()
