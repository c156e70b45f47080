"""Housekeeping tasks, defined on a blueprint and added to the app when it is ready."""

from procrastinate import Blueprint, JobContext
from procrastinate.manager import JobManager

blueprint = Blueprint()


async def retry_stalled_jobs(
    job_manager: JobManager, seconds_since_heartbeat: float = 30
) -> list[int]:
    """Requeue the ``doing`` jobs of workers that sent no heartbeat for that long.

    A worker that is killed (SIGKILL, out-of-memory, lost machine) leaves its
    job in ``doing`` for ever; nothing retries it on its own. Returns the ids
    of the jobs put back to ``todo``.
    """
    stalled = await job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
    for job in stalled:
        await job_manager.retry_job(job)
    return [job.id for job in stalled if job.id is not None]


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(
    name="retry_stalled", queue="maintenance", queueing_lock="retry-stalled", pass_context=True
)
async def retry_stalled(context: JobContext, timestamp: int) -> list[int]:
    """Every five minutes, requeue the jobs that dead workers left behind."""
    return await retry_stalled_jobs(context.app.job_manager)
