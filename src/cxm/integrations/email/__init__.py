"""E-mail through Django's configured e-mail backend (SMTP, console, locmem …)."""

from cxm.integrations.email.sender import DjangoEmailSender

__all__ = ["DjangoEmailSender"]
