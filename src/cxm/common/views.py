"""Project-wide views: the health check."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _tasks_status() -> dict[str, object]:
    backend = settings.TASKS["default"]["BACKEND"]
    status: dict[str, object] = {"ok": True, "backend": backend}
    if backend != "django_tasks_db.DatabaseBackend":
        return status
    try:
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.filter(status="READY")
        status["pending"] = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        status["oldest_pending_seconds"] = (
            round((timezone.now() - oldest).total_seconds()) if oldest else 0
        )
        status["running"] = DBTaskResult.objects.filter(status="RUNNING").count()
        status["failed"] = DBTaskResult.objects.filter(status="FAILED").count()
    except Exception as exc:
        return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
    return status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """`{"status": "ok"|"error", "database": {...}, "tasks": {...}}`; 503 when not ok."""
    database = _database_status()
    tasks = _tasks_status() if database["ok"] else {"ok": False, "error": "database"}
    ok = bool(database["ok"] and tasks["ok"])
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "tasks": tasks},
        status=200 if ok else 503,
    )
