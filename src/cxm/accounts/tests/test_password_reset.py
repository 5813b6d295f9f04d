import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cxm.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "word"), [("en", "new password"), ("fa", "رمز")])
def test_password_reset_mail_in_the_users_language(make_user, language, word):
    make_user(Role.AGENT, username="forgetful", email="f@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(reverse("password_reset"), {"email": "f@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert word in f"{message.subject} {message.body}"
    assert "/password-reset/" in message.body
