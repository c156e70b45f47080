"""The onboarding workflow: a welcome email now, a follow-up email later.

Each email is a DBOS step: once a step has returned, its result is in the
system database and a recovered workflow reuses it instead of running the
step again.
"""

from dbos import DBOS

from onboarding.models import Email


@DBOS.step()
def send_welcome(to: str) -> int:
    """Send the welcome email; return the outbox row's id."""
    return Email.objects.create(to=to, kind=Email.Kind.WELCOME, workflow_id=DBOS.workflow_id).pk


@DBOS.step()
def send_follow_up(to: str) -> int:
    """Send the follow-up email; return the outbox row's id."""
    return Email.objects.create(to=to, kind=Email.Kind.FOLLOW_UP, workflow_id=DBOS.workflow_id).pk


@DBOS.workflow()
def onboard(to: str, follow_up_after: float) -> dict[str, int]:
    """Welcome a new user now and follow up ``follow_up_after`` seconds later."""
    welcome = send_welcome(to)
    # A durable timer: its deadline is recorded, so after a restart the
    # workflow sleeps only for the time that is left.
    DBOS.sleep(follow_up_after)
    follow_up = send_follow_up(to)
    return {"welcome_email": welcome, "follow_up_email": follow_up}


# [/docs:workflow]


# [docs:queue]
ONBOARDING_QUEUE = "onboarding"


def register_queues() -> None:
    """Register the onboarding queue: at most two of its workflows run at once per process."""
    DBOS.register_queue(ONBOARDING_QUEUE, worker_concurrency=2)


# [/docs:queue]
