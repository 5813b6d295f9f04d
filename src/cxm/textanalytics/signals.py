"""Signals of text analytics, for decoupled side effects in other capabilities."""

from django.dispatch import Signal

# Sent after a batch of texts was analysed (inside the writing transaction), with
# `item_ids`: the TextItem ids. Receivers queue their work with transaction.on_commit
# (cases open cases on negative comments and complaint posts).
texts_analysed = Signal()
