"""Social posts: CSV through the generic importer (mapping, bad rows, mode), and Telegram
channel posts and group messages through the bot's webhook."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.cases.models import Case
from cxm.imports import services as imports
from cxm.imports.models import ImportMode, ImportStatus
from cxm.imports.tests.helpers import write_csv
from cxm.textanalytics.models import SocialPost, SourceKind, TextItem

pytestmark = pytest.mark.django_db
SECRET = "tg-Secret_1"


@pytest.fixture(autouse=True)
def _media_and_telegram(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET


def test_csv_import_maps_columns_skips_bad_rows_and_analyses(
    make_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    user = make_user(Role.ANALYST)
    path = write_csv(
        tmp_path / "reviews.csv",
        [
            ["متن", "تاریخ", "شناسه", "نویسنده", "platform"],
            ["ارسال خراب بود", "1403/02/12 10:30", "r1", "ali", "reviews"],
            ["great app", "2024-05-02", "r2", "", ""],
            ["", "2024-05-02", "r3", "", ""],
            ["late", "someday", "r4", "", ""],
        ],
    )
    with path.open("rb") as handle:
        job = imports.import_job_create(
            kind="social_posts",
            upload=File(handle, name=path.name),
            created_by=user,
            options={"platform": "instagram"},
        )
    assert set(job.mapping) == {"text", "posted_at", "external_id", "author_handle", "platform"}
    job = imports.import_job_set_mapping(
        job=job, mapping=job.mapping, mode=ImportMode.SKIP_BAD_ROWS
    )
    job = imports.import_job_start_dry_run(job=job)
    assert (job.valid_rows, job.invalid_rows) == (2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_job_start_commit(job=job)
    assert job.status == ImportStatus.DONE
    posts = {p.external_id: p for p in SocialPost.objects.all()}
    assert set(posts) == {"r1", "r2"}
    assert posts["r1"].platform == "reviews" and posts["r2"].platform == "instagram"
    kinds = dict(TextItem.objects.values_list("source_id", "source_kind"))
    assert kinds[posts["r1"].pk] == SourceKind.IMPORTED_REVIEW
    assert kinds[posts["r2"].pk] == SourceKind.SOCIAL_POST
    assert TextItem.objects.get(source_id=posts["r1"].pk).sentiment == "negative"


def test_import_needs_text_change_and_a_platform(make_user, tmp_path: Path):
    from cxm.common.exceptions import ApplicationError
    from cxm.imports.registry import get_importer

    assert get_importer("social_posts").capability == "text.change"
    path = write_csv(tmp_path / "p.csv", [["text", "date"], ["hi", "2024-01-01"]])
    with path.open("rb") as handle, pytest.raises(ApplicationError):
        imports.import_job_create(
            kind="social_posts",
            upload=File(handle, name=path.name),
            created_by=make_user(Role.ANALYST),
            options={"platform": "myspace"},
        )


def _post(client: Any, update: dict) -> Any:
    return client.post(
        reverse("telegram-webhook", args=[SECRET]),
        data=json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )


def test_telegram_channel_post_becomes_a_social_post_once(
    client, django_capture_on_commit_callbacks
):
    update = {
        "update_id": 1,
        "channel_post": {
            "message_id": 77,
            "chat": {"id": -1001, "type": "channel", "title": "Shop news", "username": "shopnews"},
            "date": 1_700_000_000,
            "text": "خدمات عالی",
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, update)
    assert response.status_code == 200 and response.content == b""  # the bot says nothing
    post = SocialPost.objects.get()
    assert (post.platform, post.external_id, post.author_handle, post.url) == (
        "telegram",
        "-1001:77",
        "@shopnews",
        "https://t.me/shopnews/77",
    )
    assert post.posted_at.timestamp() == 1_700_000_000
    assert TextItem.objects.get(source_id=post.pk).sentiment == "positive"
    _post(client, update)  # Telegram delivers it again
    assert SocialPost.objects.count() == 1 and not Case.objects.exists()


def test_telegram_group_message_is_listened_to_and_private_chats_are_cases(client):
    def message(chat: dict, text: str, message_id: int) -> dict:
        return {
            "update_id": message_id,
            "message": {
                "message_id": message_id,
                "from": {"id": 5, "first_name": "Sara", "username": "sara_k"},
                "chat": chat,
                "date": 1_700_000_100,
                "text": text,
            },
        }

    _post(client, message({"id": -200, "type": "supergroup", "title": "Fans"}, "bad update", 1))
    _post(client, message({"id": -200, "type": "supergroup", "title": "Fans"}, "/start", 2))
    post = SocialPost.objects.get()
    assert (post.author_handle, post.url, post.text) == ("@sara_k", "", "bad update")
    _post(client, message({"id": 5, "type": "private"}, "my order is late", 3))
    assert SocialPost.objects.count() == 1 and Case.objects.count() == 1
