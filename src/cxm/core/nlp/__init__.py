"""Multilingual text analytics (fa, ar, hu, en), pure Python: language identification,
normalisation, sentiment, intent, topics and PII redaction. No Django import."""
