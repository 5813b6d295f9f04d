"""Background tasks of imports: the dry run and the commit (django-tasks).

They take the job's id only; `make run` starts a `db_worker` that runs them, tests run
them inline (ImmediateBackend).
"""

from django_tasks import task

from cxm.imports import services


@task()
def run_dry_run(job_id: int) -> str:
    """Validate every row of the import and record the report."""
    return services.import_job_run_dry_run(job_id=job_id).status


@task()
def run_commit(job_id: int) -> str:
    """Write the import's valid rows in one transaction."""
    return services.import_job_run_commit(job_id=job_id).status
