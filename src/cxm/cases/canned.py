"""Canned replies rendered for one case: the text in the case's language with its variables
({customer_name}, {case_number}, {agent_name}) filled in on the server.

Only those three names are replaced; any other brace in the text is left as written, so a
reply that quotes `{this}` cannot fail to render.
"""

from __future__ import annotations

from typing import Any

from cxm.cases.models import CannedReply, Case
from cxm.core.text import localize_digits

VARIABLES = ("customer_name", "case_number", "agent_name")


def canned_text(reply: CannedReply, language: str | None) -> str:
    """The reply's text in `language` (its first two letters), else English, else any text."""
    texts = {str(k)[:2]: str(v) for k, v in (reply.texts or {}).items() if v}
    language = (language or "")[:2]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def canned_render(reply: CannedReply, *, case: Case, agent: Any) -> str:
    """The text to put in the reply box of `case`, written by `agent`.

    The case number is written in the digits of the case's language (Persian digits for a
    Persian case), as the customer reads it."""
    language = case.language or getattr(case.customer, "preferred_language", "") or ""
    number = str(case.pk)
    if language[:2] == "fa":
        number = localize_digits(number, "persian")
    elif language[:2] == "ar":
        number = localize_digits(number, "arabic")
    values = {
        "customer_name": case.customer.name if case.customer is not None else "",
        "case_number": number,
        "agent_name": str(getattr(agent, "display_name", "") or agent or ""),
    }
    text = canned_text(reply, language)
    for name in VARIABLES:
        text = text.replace("{" + name + "}", values[name])
    return text
