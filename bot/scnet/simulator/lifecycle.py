"""One instance and how its status moves with the clock (reference §6).

::

    create/restart ─► Waiting ─(delays.waiting)─► Deploying ─(delays.deploying)─┬─► Running
                        │ queued: held here by the capacity knob until a slot   └─► Failed
                        │ frees (see ``state``)                     (will_fail)
    Running ─(timeoutLimit elapsed)─► Completed          stop (any non-terminal) ─► Terminated

Nothing runs in the background: ``advance(instance, now)`` replays the transitions whose time
has come, stamping each with the exact time it was due (not the time it was observed), so a
``ManualClock`` jump of an hour yields the same state as an hour of polling.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.instances import TERMINAL_STATUSES, InstanceStatus
from bot.scnet.simulator.create_request import TaskSpec

WAITING = InstanceStatus.WAITING
DEPLOYING = InstanceStatus.DEPLOYING
RUNNING = InstanceStatus.RUNNING
COMPLETED = InstanceStatus.COMPLETED
FAILED = InstanceStatus.FAILED
TERMINATED = InstanceStatus.TERMINATED


@dataclass(frozen=True, slots=True)
class Delays:
    """Seconds spent in Waiting (queue) and Deploying (image pull) before Running."""

    waiting: float = 2.0
    deploying: float = 3.0

    def updated(self, *, waiting: float | None = None, deploying: float | None = None) -> Delays:
        """A copy with the given delays replaced (None keeps the current one)."""
        return Delays(
            waiting=self.waiting if waiting is None else waiting,
            deploying=self.deploying if deploying is None else deploying,
        )


@dataclass(slots=True)
class Instance:
    id: str
    owner: str
    spec: TaskSpec
    created_at: float
    delays: Delays
    notebook_id: str
    access_hex: str  # the access URL's path segment and token value; new on every restart
    status: InstanceStatus = WAITING
    since: float = 0.0  # when the current status began
    started_at: float | None = None
    ended_at: float | None = None
    queued: bool = False  # held in Waiting by the capacity knob
    will_fail: bool = False
    last_script: str | None = None
    ran_seconds: float = 0.0  # over its runs that ended; SCNet bills these (see ``billing``)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def seconds_run(self, now: float) -> float:
        """How long it has run in all, its current run included."""
        current = now - self.since if self.status is RUNNING else 0.0
        return self.ran_seconds + max(0.0, current)

    def enter(self, status: InstanceStatus, at: float) -> None:
        if self.status is RUNNING:  # a run ends (or, forced Running again, starts afresh)
            self.ran_seconds += max(0.0, at - self.since)
        self.status = status
        self.since = at
        if status is RUNNING:
            self.started_at = at
            self.ended_at = None
        elif status in TERMINAL_STATUSES:
            self.ended_at = at
        else:
            self.started_at = self.ended_at = None

    def restart(self, at: float, *, access_hex: str, will_fail: bool) -> None:
        self.enter(WAITING, at)
        self.access_hex = access_hex
        self.will_fail = will_fail


def advance(instance: Instance, now: float) -> None:
    """Apply every transition due by ``now``."""
    while _step(instance, now):
        pass


def _step(instance: Instance, now: float) -> bool:
    status = instance.status
    if status is WAITING and not instance.queued:
        due = instance.since + instance.delays.waiting
        if now >= due:
            instance.enter(DEPLOYING, due)
            return True
    elif status is DEPLOYING:
        due = instance.since + instance.delays.deploying
        if now >= due:
            instance.enter(FAILED if instance.will_fail else RUNNING, due)
            return True
    elif status is RUNNING and instance.spec.timeout_seconds is not None:
        due = instance.since + instance.spec.timeout_seconds
        if now >= due:
            instance.enter(COMPLETED, due)
            return True
    return False
