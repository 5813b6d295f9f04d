"""IMAP polling (`cxm fetch_mail`) against a fake IMAP server: unseen messages become cases
and are marked seen after commit; a malformed message is logged, left unseen and does not
block the others; a second run records nothing twice."""

from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cxm.cases import tasks
from cxm.cases.models import Case, CaseMessage
from cxm.integrations.email import imap


def raw(message_id: str, sender: str, subject: str, text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(text)
    return msg.as_bytes()


class FakeImap:
    """An IMAP server with one folder: uid → (bytes, flags); records the commands."""

    def __init__(self, messages: dict[str, bytes], fail_fetch: Iterable[str] = ()) -> None:
        self.messages: dict[str, tuple[bytes, set[str]]] = {
            uid: (data, set()) for uid, data in messages.items()
        }
        self.fail_fetch = set(fail_fetch)
        self.logged_in: tuple[str, str] | None = None
        self.selected = ""
        self.logged_out = False
        self.stored: list[str] = []
        self.cases_when_stored: list[int] = []

    def login(self, user: str, password: str) -> tuple[str, list[Any]]:
        self.logged_in = (user, password)
        return "OK", [b"Logged in"]

    def select(self, mailbox: str = "INBOX", readonly: bool = False) -> tuple[str, list[Any]]:
        self.selected = mailbox
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        command = command.upper()
        if command == "SEARCH":
            assert args == (None, "UNSEEN")
            unseen = [uid for uid, (_d, flags) in self.messages.items() if "\\Seen" not in flags]
            return "OK", [" ".join(unseen).encode()]
        if command == "FETCH":
            uid, what = args
            assert what == "(BODY.PEEK[])"  # reading must not mark it seen
            if uid in self.fail_fetch:
                return "NO", [b"fetch failed"]
            data, _flags = self.messages[uid]
            return "OK", [(f"1 (UID {uid} BODY[] {{{len(data)}}}".encode(), data), b")"]
        if command == "STORE":
            uid, op, flags = args
            assert (op, flags) == ("+FLAGS", "(\\Seen)")
            self.messages[uid][1].add("\\Seen")
            self.stored.append(uid)
            # The case must already be committed when the message is marked seen.
            self.cases_when_stored.append(Case.objects.count())
            return "OK", []
        raise AssertionError(f"unexpected command {command}")

    def logout(self) -> tuple[str, list[Any]]:
        self.logged_out = True
        return "BYE", []

    def seen(self) -> set[str]:
        return {uid for uid, (_d, flags) in self.messages.items() if "\\Seen" in flags}


@pytest.fixture(autouse=True)
def _imap_settings(settings, tmp_path):
    settings.CXM_IMAP_HOST = "imap.example.test"
    settings.CXM_IMAP_USER = "support@shop.example"
    settings.CXM_IMAP_PASSWORD = "pw"
    settings.CXM_IMAP_FOLDER = "Support"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def server(monkeypatch) -> FakeImap:
    fake = FakeImap(
        {
            "101": raw("<a@x>", "Nima <nima@example.com>", "Invoice wrong", "Please fix."),
            "102": b"\x00\xff this is not an e-mail \xfe",
            "103": raw("<b@x>", "Eva <eva@example.hu>", "Szállítás", "Hol a csomagom?"),
            "104": raw("<c@x>", "Omid <omid@example.com>", "Lost", "Fetch fails for me."),
        },
        fail_fetch={"104"},
    )
    monkeypatch.setattr(imap, "connect", lambda: fake)
    return fake


@pytest.mark.django_db
def test_fetch_mail_records_unseen_messages_and_skips_bad_ones(server, capsys, caplog):
    call_command("fetch_mail")
    assert server.logged_in == ("support@shop.example", "pw")
    assert server.selected == "Support" and server.logged_out
    assert {c.subject for c in Case.objects.all()} == {"Invoice wrong", "Szállítás"}
    assert server.seen() == {"101", "103"}  # the malformed and the unreadable stay unseen
    assert server.cases_when_stored == [1, 2]
    assert "unseen 4, recorded 2, delivered before 0, failed 2" in capsys.readouterr().out
    assert "IMAP uid 102" in caplog.text and "IMAP uid 104" in caplog.text

    # Next run: only the two failed ones are unseen; nothing is recorded twice.
    server.fail_fetch.clear()
    report = imap.fetch_mail()
    assert report.recorded == 1 and report.failed == ["102"]
    assert Case.objects.count() == 3 and CaseMessage.objects.count() == 3


@pytest.mark.django_db
def test_message_recorded_but_not_marked_is_a_duplicate_next_time(server):
    server.messages = {"7": (raw("<same@x>", "a@example.com", "S", "T"), set())}
    real_uid = server.uid

    def store_fails(command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "STORE":
            raise OSError("connection lost")
        return real_uid(command, *args)

    server.uid = store_fails
    with pytest.raises(OSError):
        imap.fetch_mail()
    assert Case.objects.count() == 1 and server.logged_out
    server.uid = real_uid
    report = imap.fetch_mail()
    assert (report.recorded, report.duplicates) == (0, 1)
    assert server.seen() == {"7"} and Case.objects.count() == 1


@pytest.mark.django_db
def test_without_a_host_the_command_refuses_and_the_task_does_nothing(settings):
    settings.CXM_IMAP_HOST = ""
    with pytest.raises(CommandError):
        call_command("fetch_mail")
    assert tasks.fetch_mail.call() == {}
