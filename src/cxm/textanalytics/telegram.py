"""Social listening on Telegram: posts of a channel the bot administers and messages of a
group it is a member of become social posts (registered in TextAnalyticsConfig.ready()
beside the cases' private-chat handler). Private chats are the cases' business.

Idempotent by (chat id, message id): Telegram redelivers an update until the webhook
answers 2xx, and the post's unique (platform, id) pair stores it once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cxm.integrations.telegram import TextMessage
from cxm.textanalytics.models import SocialPlatform
from cxm.textanalytics.services import SocialPostData, social_posts_store

LISTENED_CHATS = {"channel", "group", "supergroup"}


def _link(message: TextMessage) -> str:
    """A public channel or group (one with a username) has t.me links to its posts."""
    if message.username and message.chat_type != "private" and message.from_user_id is None:
        return f"https://t.me/{message.username}/{message.message_id}"
    return ""


def channel_post_received(message: TextMessage) -> None:
    """Store a channel post or group message as a social post (never answers: the bot
    does not speak in groups it listens to)."""
    if message.chat_type not in LISTENED_CHATS or message.is_command:
        return None
    posted_at = (
        dt.datetime.fromtimestamp(message.date, tz=dt.UTC)
        if message.date is not None
        else timezone.now()
    )
    if message.chat_type == "channel":
        author = f"@{message.username}" if message.username else message.chat_title
    else:
        author = f"@{message.username}" if message.username else message.sender_name
    social_posts_store(
        posts=[
            SocialPostData(
                platform=SocialPlatform.TELEGRAM,
                external_id=f"{message.chat_id}:{message.message_id}",
                author_handle=author[:200],
                url=_link(message),
                posted_at=posted_at,
                text=message.text,
            )
        ]
    )
    return None
