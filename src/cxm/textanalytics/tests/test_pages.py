import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from cxm.accounts.roles import Role
from cxm.textanalytics import selectors
from cxm.textanalytics.models import SocialPost, TextItem, Topic
from cxm.textanalytics.tests.helpers import item, topic

pytestmark = pytest.mark.django_db
EXPLORER = reverse("textanalytics:explorer")


def _texts(response) -> list[str]:
    return [row["item"].text for row in response.context["rows"]]


def test_search_folds_arabic_and_persian_letter_variants(client_for):
    # Written with Arabic kaf and yeh; searched with Persian keheh and yeh, and vice versa.
    item("كيفيت خدمات خوب بود")
    item("ارسال دیر رسید")
    client = client_for(Role.VIEWER)
    persian_query = client.get(EXPLORER, {"q": "کیفیت"})
    assert _texts(persian_query) == ["كيفيت خدمات خوب بود"]
    arabic_query = client.get(EXPLORER, {"q": "ديـر"})  # Arabic yeh and a tatweel
    assert _texts(arabic_query) == ["ارسال دیر رسید"]
    assert _texts(client.get(EXPLORER, {"q": "کیفیت دیر"})) == []  # every word must occur


def test_filters_by_topic_sentiment_language_and_period(client_for):
    delivery = topic("delivery", en=["parcel"], fa=["ارسال"])
    old = timezone.now() - dt.timedelta(days=40)
    item("parcel bad", created_at=old)
    item("parcel good")
    item("ارسال خراب")
    item("nothing to say")
    client = client_for(Role.VIEWER)
    assert sorted(_texts(client.get(EXPLORER, {"topic": delivery.pk}))) == [
        "parcel bad",
        "parcel good",
        "ارسال خراب",
    ]
    negative = client.get(EXPLORER, {"topic": delivery.pk, "sentiment": "negative"})
    assert sorted(_texts(negative)) == ["parcel bad", "ارسال خراب"]
    assert _texts(client.get(EXPLORER, {"language": "fa"})) == ["ارسال خراب"]
    recent = client.get(EXPLORER, {"date_from": (timezone.now() - dt.timedelta(days=7)).date()})
    assert "parcel bad" not in _texts(recent) and len(_texts(recent)) == 3
    bad_date = client.get(EXPLORER, {"date_from": "not a date"})
    assert bad_date.status_code == 200 and bad_date.context["filter_form"].errors


def test_trend_counts_topic_mentions_per_week(client_for):
    delivery = topic("delivery", en=["late"])
    now = timezone.now()
    for days in (0, 1, 14):
        item("late", created_at=now - dt.timedelta(days=days))
    trend = selectors.topic_trend(TextItem.objects.all())
    # Independent count: mentions per ISO week.
    by_week: dict[dt.date, int] = {}
    for created in TextItem.objects.values_list("created_at", flat=True):
        day = timezone.localtime(created).date()
        monday = day - dt.timedelta(days=day.weekday())
        by_week[monday] = by_week.get(monday, 0) + 1
    assert dict(zip(trend.weeks, trend.series[delivery.pk], strict=True)) == {
        w: by_week.get(w, 0) for w in trend.weeks
    }
    assert sum(trend.series[delivery.pk]) == 3 and len(trend.weeks) >= 3  # a zero week between
    page = client_for(Role.VIEWER).get(EXPLORER)
    assert page.context["chart_data"]["series"][0]["data"] == trend.series[delivery.pk]
    # Without a period the chart covers the last 26 weeks; a period shows older weeks.
    long_ago = now - dt.timedelta(weeks=30)
    item("late", created_at=long_ago)
    recent = client_for(Role.VIEWER).get(EXPLORER)
    assert sum(recent.context["chart_data"]["series"][0]["data"]) == 3
    chosen = client_for(Role.VIEWER).get(EXPLORER, {"date_from": long_ago.date().isoformat()})
    assert sum(chosen.context["chart_data"]["series"][0]["data"]) == 4


def test_phrase_frequencies_drop_stop_words_and_masked_data(client_for):
    item("The delivery was late, call +98 912 123 4567")
    item("Late delivery again")
    item("the staff were kind")
    page = client_for(Role.VIEWER).get(EXPLORER)
    words = {p.text: p.count for p in page.context["words"]}
    pairs = {p.text: p.count for p in page.context["pairs"]}
    assert words["delivery"] == 2 and words["late"] == 2
    assert "the" not in words and "was" not in words
    assert not any(ch.isdigit() for w in words for ch in w)
    assert "phone" not in words  # the mask placeholder is not a phrase
    assert pairs == {}  # "delivery late" and "late delivery" are different pairs


def test_texts_are_masked_unless_the_reader_may_see_personal_data(client_for):
    stored = item("Call me on +98 912 123 4567 please")
    viewer = client_for(Role.VIEWER).get(EXPLORER)
    assert "912 123" not in viewer.content.decode() and "[PHONE]" in viewer.content.decode()
    analyst = client_for(Role.ANALYST).get(EXPLORER)  # analysts have pii.view
    assert "+98 912 123 4567" in analyst.content.decode()
    detail = client_for(Role.AGENT).get(reverse("textanalytics:item", args=[stored.pk]))
    assert "912 123" not in detail.content.decode()


def test_relabel_in_place_needs_text_change(client_for):
    price = topic("price", en=["expensive"])
    stored = item("bad service")
    url = reverse("textanalytics:relabel", args=[stored.pk])
    form = {"sentiment": "positive", "intent": "", "topics": [price.pk], "set_topics": "on"}
    refused = client_for(Role.AGENT).post(url, form)
    assert refused.status_code == 403
    stored.refresh_from_db()
    assert stored.sentiment == "negative" and not stored.is_corrected
    analyst = client_for(Role.ANALYST)
    response = analyst.post(url, form, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="item-{stored.pk}"' in response.content.decode()
    stored.refresh_from_db()
    assert (stored.sentiment, stored.corrected_sentiment, stored.intent) == (
        "positive",
        "positive",
        "complaint",  # "" leaves the intent as predicted
    )
    assert list(stored.topics.all()) == [price]
    bad = analyst.post(url, {"sentiment": "furious"})
    assert bad.status_code == 400
    back = analyst.post(url, {"sentiment": "neutral", "next": "https://evil.example/"})
    assert back.status_code == 302 and back["Location"] == reverse(
        "textanalytics:item", args=[stored.pk]
    )


def test_explorer_shows_relabel_forms_only_to_those_who_may(client_for):
    item("good")
    assert "Relabel" not in client_for(Role.VIEWER).get(EXPLORER).content.decode()
    assert "Relabel" in client_for(Role.ANALYST).get(EXPLORER).content.decode()


def test_taxonomy_editor(client_for):
    create = reverse("textanalytics:topic-create")
    assert client_for(Role.AGENT).get(create).status_code == 403
    analyst = client_for(Role.ANALYST)
    form = {
        "code": "delivery",
        "name_en": "Delivery",
        "name_fa": "ارسال",
        "keywords_fa": "دیر رسید\nتأخیر\n",
        "keywords_en": "late\nlate\n",
        "examples_en": "The parcel came a week late",
        "is_active": "on",
    }
    assert analyst.post(create, form).status_code == 302
    saved = Topic.objects.get(code="delivery")
    assert saved.keywords == {"fa": ["دیر رسید", "تأخیر"], "en": ["late"]}
    assert saved.examples == {"en": ["The parcel came a week late"]}
    duplicate = analyst.post(create, form)
    assert duplicate.status_code == 400 and Topic.objects.count() == 1
    edit = reverse("textanalytics:topic-edit", args=[saved.pk])
    assert "تأخیر" in analyst.get(edit).content.decode()
    analyst.post(edit, {**form, "keywords_en": "slow", "is_active": ""})
    saved.refresh_from_db()
    assert saved.keywords["en"] == ["slow"] and not saved.is_active
    listing = client_for(Role.VIEWER).get(reverse("textanalytics:topics"))
    assert "delivery" in listing.content.decode()
    analyst.post(reverse("textanalytics:topic-delete", args=[saved.pk]))
    assert not Topic.objects.exists()


def _upload(payload: object, name: str = "posts.json") -> io.BytesIO:
    data = io.BytesIO(json.dumps(payload, ensure_ascii=False).encode())
    data.name = name
    return data


def test_social_json_import_stores_good_rows_and_reports_bad_ones(
    client_for, django_capture_on_commit_callbacks
):
    url = reverse("textanalytics:social")
    posts = [
        {"id": "1", "text": "great service", "date": "2024-05-01T10:00:00Z", "author": "@sara"},
        {"id": "2", "text": "", "date": "2024-05-01"},
        {"id": "3", "text": "late again", "date": "yesterday"},
        "not an object",
        {"post_id": "4", "message": "خیلی بد بود", "timestamp": "1403/02/12 10:00", "link": "x"},
        {"id": "5", "text": "ok", "date": "2024-05-02", "platform": "tiktok-ish"},
        {"id": "1", "text": "great service", "date": "2024-05-01T10:00:00Z"},
    ]
    assert (
        client_for(Role.VIEWER).post(url, {"platform": "x", "file": _upload(posts)}).status_code
        == 403
    )
    analyst = client_for(Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post(url, {"platform": "x", "file": _upload(posts)})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.rows, result.created, result.duplicates) == (7, 1, 1)
    problems = {(row, field) for row, field, _message in result.errors}
    assert problems == {(2, "text"), (3, "posted_at"), (4, ""), (5, "url"), (6, "platform")}
    post = SocialPost.objects.get()
    assert (post.platform, post.external_id, post.author_handle) == ("x", "1", "@sara")
    analysed = TextItem.objects.get(source_id=post.pk)
    assert analysed.sentiment == "positive" and analysed.analysed_at is not None
    again = analyst.post(url, {"platform": "x", "file": _upload(posts)})
    assert again.context["result"].created == 0 and SocialPost.objects.count() == 1


def test_social_json_import_refuses_files_that_are_not_json(client_for):
    analyst = client_for(Role.ANALYST)
    url = reverse("textanalytics:social")
    for payload in (b"id,text\n1,hello\n", b"\xff\xfe\x00garbage", b'{"nothing": 1}'):
        upload = io.BytesIO(payload)
        upload.name = "posts.json"
        response = analyst.post(url, {"platform": "x", "file": upload})
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
    assert not SocialPost.objects.exists()


def test_training_page_and_button(client_for, settings, django_capture_on_commit_callbacks):
    settings.CXM_TEXT_TRAINER = "cxm.textanalytics.tests.test_training.fake_trainer"
    url = reverse("textanalytics:training")
    assert client_for(Role.VIEWER).get(url).status_code == 200
    assert client_for(Role.VIEWER).post(reverse("textanalytics:retrain")).status_code == 403
    assert "Retrain sentiment" in client_for(Role.ANALYST).get(url).content.decode()
    assert "Retrain sentiment" not in client_for(Role.VIEWER).get(url).content.decode()
