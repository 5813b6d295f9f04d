"""The import services without HTTP: transactions, progress, the importer registry."""

from pathlib import Path

import pytest
from django.core.files import File

from cxm.accounts.roles import Capability, Role
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import Customer, CustomerEvent
from cxm.imports import registry, services
from cxm.imports.customer_importer import CustomerImporter
from cxm.imports.models import ImportJob, ImportMode, ImportStatus
from cxm.imports.tests.helpers import write_csv

pytestmark = pytest.mark.django_db


def _job(path: Path, user, kind: str = "customers") -> ImportJob:
    with path.open("rb") as handle:
        return services.import_job_create(
            kind=kind, upload=File(handle, name=path.name), created_by=user
        )


def _validated(path: Path, user, mode: str = ImportMode.ALL_OR_NOTHING) -> ImportJob:
    job = _job(path, user)
    job = services.import_job_set_mapping(job=job, mapping=job.mapping, mode=mode)
    return services.import_job_start_dry_run(job=job)


def _rows(n: int, **extra: str) -> list[list[str]]:
    header = ["external_id", "name", *extra]
    return [header] + [[f"T{i:05d}", f"Name {i}", *extra.values()] for i in range(n)]


def test_failure_midway_leaves_nothing_written(make_user, tmp_path, monkeypatch):
    user = make_user(Role.ADMINISTRATOR)
    job = _validated(write_csv(tmp_path / "t.csv", _rows(50)), user)
    assert job.status == ImportStatus.VALIDATED and job.valid_rows == 50
    monkeypatch.setattr(CustomerImporter, "batch_size", 10)
    calls = []
    original = CustomerImporter.write_batch

    def flaky(self, items, **kwargs):
        calls.append(len(items))
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return original(self, items, **kwargs)

    monkeypatch.setattr(CustomerImporter, "write_batch", flaky)
    job = services.import_job_start_commit(job=job)
    assert calls == [10, 10, 10]
    assert job.status == ImportStatus.FAILED
    assert "nothing was written" in job.message
    assert Customer.objects.count() == 0 and CustomerEvent.objects.count() == 0


def test_all_or_nothing_row_turned_bad_after_the_dry_run_rolls_back(make_user, tmp_path):
    user = make_user(Role.ADMINISTRATOR)
    rows = _rows(30, consent_fax="yes")
    job = _validated(write_csv(tmp_path / "t.csv", rows), user)
    assert job.invalid_rows == 0
    Channel.objects.filter(code="fax").delete()  # the consent column is now unknown
    job = services.import_job_start_commit(job=job)
    assert job.status == ImportStatus.FAILED
    assert "Row 2 is invalid, so nothing was written" in job.message
    assert Customer.objects.count() == 0
    assert job.invalid_rows == 30 and job.errors.count() == 30
    first = job.errors.first()
    assert first is not None and first.column == "consent_fax"


def test_progress_is_published_every_n_rows_and_ends_at_100(make_user, tmp_path, monkeypatch):
    user = make_user(Role.ADMINISTRATOR)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1000)
    seen: list[tuple[int, int | None]] = []
    original = services._Progress.publish

    def spy(self, rows, fraction):
        original(self, rows, fraction)
        seen.append(ImportJob.objects.values_list("rows_processed", "progress_percent").get())

    monkeypatch.setattr(services._Progress, "publish", spy)
    job = _validated(write_csv(tmp_path / "t.csv", _rows(4500)), user)  # ~100 KB
    assert [rows for rows, _percent in seen] == [1000, 2000, 3000, 4000]
    percents = [p or 0 for _rows, p in seen]
    assert percents == sorted(percents) and 0 < percents[0] < percents[-1] < 100
    assert (job.rows_processed, job.progress_percent) == (4500, 100)
    job = services.import_job_start_commit(job=job)
    assert job.status == ImportStatus.DONE
    assert (job.rows_processed, job.progress_percent, job.created_count) == (4500, 100, 4500)


def test_mapping_rules(make_user, tmp_path):
    user = make_user(Role.ADMINISTRATOR)
    job = _job(write_csv(tmp_path / "t.csv", _rows(2)), user)
    with pytest.raises(ApplicationError) as info:
        services.import_job_set_mapping(job=job, mapping={"external_id": 0, "name": 0})
    assert "is chosen for both" in info.value.message
    with pytest.raises(ApplicationError) as info:
        services.import_job_set_mapping(job=job, mapping={"external_id": 0, "name": 7})
    assert info.value.code == "invalid_mapping"
    with pytest.raises(ApplicationError) as info:
        services.import_job_set_mapping(job=job, mapping={"external_id": 0, "wings": 1})
    assert info.value.code == "invalid_mapping"


def test_a_second_importer_uses_the_same_machinery(make_user, tmp_path):
    """A later capability (e.g. survey responses) registers its own importer."""
    written: list[list[str]] = []

    @registry.register_importer
    class NoteImporter(registry.Importer):
        kind = "test_notes"
        label = "Notes"
        capability = Capability.JOURNEYS_CHANGE
        key_field = "code"

        def fields(self, options=None):
            return [
                registry.TargetField("code", "Code", required=True, aliases=("kód",)),
                registry.TargetField("text", "Text", aliases=("متن",)),
            ]

        def clean_row(self, values, context):
            if not str(values.get("text") or "").strip():
                raise registry.RowInvalid({"text": ("required", "Write something.")})
            return [values["code"], values["text"]]

        def write_batch(self, items, *, context, source):
            written.extend(items)
            return registry.BatchResult(created=len(items))

    try:
        user = make_user(Role.ANALYST)  # may change journeys, may not import customers
        path = write_csv(tmp_path / "n.csv", [["Kód", "متن"], ["a", "x"], ["b", ""], ["a", "y"]])
        job = _job(path, user, kind="test_notes")
        assert job.mapping == {"code": 0, "text": 1}
        job = services.import_job_set_mapping(
            job=job, mapping=job.mapping, mode=ImportMode.SKIP_BAD_ROWS
        )
        job = services.import_job_start_dry_run(job=job)
        assert (job.valid_rows, job.invalid_rows) == (1, 2)
        job = services.import_job_start_commit(job=job)
        assert job.status == ImportStatus.DONE and written == [["a", "x"]]
    finally:
        registry._importers.pop("test_notes", None)
