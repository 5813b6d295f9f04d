"""The daily emerging-issue job (registered with cxm.common.scheduler in apps.py)."""

from __future__ import annotations

from django_tasks import task

from cxm.textanalytics import insights


@task()
def detect_emerging_issues() -> int:
    """Yesterday's window against its baseline; alerts recorded and owners told once."""
    return len(insights.emerging_issue_alerts_send())
