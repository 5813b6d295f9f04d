"""Signals of the surveys app, for decoupled side effects in other capabilities."""

from django.dispatch import Signal

# Sent inside the writing transaction after responses were saved (survey page, API single and
# bulk, spreadsheet import), with `response_ids`: a list of the ids written. Receivers must be
# cheap (a bulk write can carry 10,000 responses): queue background work with
# `transaction.on_commit` rather than doing it inline.
responses_saved = Signal()
