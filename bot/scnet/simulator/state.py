"""Instances by id and by owner, the capacity queue, and the per-name rules.

Every lookup is a dict access; only ``list_for`` walks the caller's own instances.

Ownership: an id that is unknown or that belongs to another user answers the same error,
``SimulatorConfig.not_found_code`` (default 10004 参数无效), so one user can never learn that
another user's id exists, let alone read it.

Capacity (``set_capacity(n)``): at most ``n`` instances hold resources (Deploying or Running);
the rest wait in Waiting, admitted first-come first-served once their own waiting delay is over
and a slot is free. ``set_capacity(0)`` keeps every new instance queued (the ≈270 s "Waiting,
no capacity" of the field report, reference §5.9); ``set_capacity(None)`` lifts the limit and
releases the queue. Admission happens lazily like every other transition, on the next request
or inspection after a slot frees, stamped with the time the slot freed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot.domain.instances import InstanceStatus
from bot.scnet.simulator.billing import Usage, usage_of
from bot.scnet.simulator.config import SimulatorConfig
from bot.scnet.simulator.create_request import TaskSpec
from bot.scnet.simulator.lifecycle import (
    DEPLOYING,
    RUNNING,
    TERMINATED,
    WAITING,
    Delays,
    Instance,
    advance,
)
from bot.scnet.simulator.wire import DELETE_ERROR, SCRIPT_ERROR, START_ERROR, ApiError


@dataclass(frozen=True, slots=True)
class InstanceRule:
    """Applies to instances created with a name matching ``pattern`` (fnmatch, case-sensitive)."""

    pattern: str
    delays: Delays | None = None
    fail: bool | None = None


class InstanceStore:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        rng: random.Random,
        config: SimulatorConfig,
        delays: Delays,
    ) -> None:
        self._clock = clock
        self._rng = rng
        self._config = config
        self.default_delays = delays
        self._by_id: dict[str, Instance] = {}
        self._by_owner: dict[str, dict[str, Instance]] = {}
        self._by_hex: dict[str, Instance] = {}
        self._rules: list[InstanceRule] = []
        self._capacity: int | None = None
        self._queue: dict[str, Instance] = {}  # insertion order = admission order
        self._active: dict[str, Instance] = {}  # holding a slot: Deploying or Running
        self._free_since = -math.inf  # since when a slot has been free (inf: none is)
        # What deleted instances ran, per owner: their charge stays on the bill (``billing``).
        self.retired: dict[str, Usage] = {}

    # ----------------------------------------------------------------- lookups

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, instance_id: str) -> Instance:
        """Settled instance by id, whoever owns it (for the Python API). KeyError if unknown."""
        instance = self._by_id[instance_id]
        self._settle(instance)
        return instance

    def owned(self, owner: str, instance_id: str) -> Instance:
        """Settled instance if ``owner`` owns it; the not-found error otherwise."""
        instance = self._by_id.get(instance_id)
        if instance is None or instance.owner != owner:
            raise ApiError(self._config.not_found_code, "实例不存在")
        self._settle(instance)
        return instance

    def by_access_hex(self, access_hex: str) -> Instance | None:
        instance = self._by_hex.get(access_hex)
        if instance is not None:
            self._settle(instance)
        return instance

    def list_for(self, owner: str) -> list[Instance]:
        """The owner's instances, settled, oldest first."""
        instances = list(self._by_owner.get(owner, {}).values())
        self._settle_many(instances)
        return instances

    def all(self) -> dict[str, Instance]:
        self._settle_many(self._by_id.values())
        return dict(self._by_id)

    # ----------------------------------------------------------------- actions

    def create(self, owner: str, spec: TaskSpec) -> Instance:
        now = self._clock()
        delays, fail = self._rule_for(spec.name)
        instance = Instance(
            id=self._new_hex(),
            owner=owner,
            spec=spec,
            created_at=now,
            delays=delays,
            notebook_id=self._new_hex(),
            access_hex=self._new_hex(),
            since=now,
            will_fail=fail,
        )
        self._by_id[instance.id] = instance
        self._by_owner.setdefault(owner, {})[instance.id] = instance
        self._by_hex[instance.access_hex] = instance
        self._enqueue(instance)
        return instance

    def restart(self, owner: str, instance_id: str) -> Instance:
        instance = self.owned(owner, instance_id)
        if not instance.terminal:
            raise ApiError(START_ERROR, f"实例状态为 {instance.status}")
        del self._by_hex[instance.access_hex]
        _, fail = self._rule_for(instance.spec.name)
        instance.restart(self._clock(), access_hex=self._new_hex(), will_fail=fail)
        self._by_hex[instance.access_hex] = instance
        self._enqueue(instance)
        return instance

    def stop(self, owner: str, instance_ids: Iterable[str]) -> None:
        """Terminate each non-terminal instance; a terminal one is left as it is."""
        instances = [self.owned(owner, instance_id) for instance_id in instance_ids]
        now = self._clock()
        for instance in instances:
            if not instance.terminal:
                instance.enter(TERMINATED, now)
                self._release(instance, now)

    def delete(self, owner: str, instance_ids: Iterable[str]) -> None:
        """All or nothing: a Running instance refuses the whole batch with 716866."""
        instances = [self.owned(owner, instance_id) for instance_id in instance_ids]
        if any(instance.status is RUNNING for instance in instances):
            raise ApiError(DELETE_ERROR, "运行中的实例不能删除")
        now = self._clock()
        for instance in instances:
            self._release(instance, now)
            self.retired[owner] = self.retired.get(owner, Usage()).plus(usage_of(instance, now))
            self._forget(instance)

    def execute_script(self, owner: str, instance_id: str, script: str) -> None:
        instance = self.owned(owner, instance_id)
        if instance.status is not RUNNING:
            raise ApiError(SCRIPT_ERROR, f"实例状态为 {instance.status}")
        instance.last_script = script

    # ----------------------------------------------------------------- knobs

    def set_status(self, instance_id: str, status: InstanceStatus) -> Instance:
        instance = self.get(instance_id)
        now = self._clock()
        self._release(instance, now)
        instance.enter(status, now)
        if status is WAITING:
            self._enqueue(instance)
        elif status in (DEPLOYING, RUNNING) and self._capacity is not None:
            self._active[instance.id] = instance
        return instance

    def set_delays(self, instance_id: str, delays: Delays) -> None:
        self.get(instance_id).delays = delays

    def add_rule(self, rule: InstanceRule) -> None:
        self._rules.append(rule)

    @property
    def capacity(self) -> int | None:
        return self._capacity

    def set_capacity(self, capacity: int | None) -> None:
        now = self._clock()
        self._settle_many(self._by_id.values())
        was_limited = self._capacity is not None
        self._capacity = capacity
        if capacity is None:
            self._release_queue(now)
            return
        if not was_limited:
            self._collect_slots()
        self._free_since = now if len(self._active) < capacity else math.inf
        self._admit(now)

    # ----------------------------------------------------------------- internals

    def _new_hex(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    def _rule_for(self, name: str) -> tuple[Delays, bool]:
        delays, fail = self.default_delays, None
        for rule in self._rules:
            if fnmatchcase(name, rule.pattern):
                delays = rule.delays or delays
                fail = rule.fail if rule.fail is not None else fail
        if fail is None:
            fail = self._rng.random() < self._config.fail_probability
        return delays, fail

    def _enqueue(self, instance: Instance) -> None:
        if self._capacity is not None:
            instance.queued = True
            self._queue[instance.id] = instance
            self._admit(self._clock())

    def _forget(self, instance: Instance) -> None:
        del self._by_id[instance.id]
        del self._by_owner[instance.owner][instance.id]
        self._by_hex.pop(instance.access_hex, None)

    def _settle(self, instance: Instance) -> None:
        now = self._clock()
        if self._capacity is not None:
            self._admit(now)
        advance(instance, now)

    def _settle_many(self, instances: Iterable[Instance]) -> None:
        now = self._clock()
        if self._capacity is not None:
            self._admit(now)
        for instance in instances:
            advance(instance, now)

    def _admit(self, now: float) -> None:
        """Free the slots of finished instances, then admit queued ones in order."""
        capacity = self._capacity
        assert capacity is not None
        for instance in list(self._active.values()):
            self._advance_active(instance, now)
        while self._queue and len(self._active) < capacity:
            instance = next(iter(self._queue.values()))
            ready = instance.since + instance.delays.waiting
            if ready > now:
                break
            del self._queue[instance.id]
            instance.queued = False
            instance.enter(DEPLOYING, max(ready, self._free_since))
            self._active[instance.id] = instance
            if len(self._active) >= capacity:
                self._free_since = math.inf
            self._advance_active(instance, now)

    def _advance_active(self, instance: Instance, now: float) -> None:
        advance(instance, now)
        if instance.terminal:
            self._release(instance, instance.ended_at if instance.ended_at is not None else now)

    def _release(self, instance: Instance, at: float) -> None:
        instance.queued = False
        self._queue.pop(instance.id, None)
        if self._active.pop(instance.id, None) is None or self._capacity is None:
            return
        if len(self._active) == self._capacity - 1:  # it was full until now
            self._free_since = at

    def _collect_slots(self) -> None:
        for instance in self._by_id.values():
            if instance.status is WAITING:
                instance.queued = True
                self._queue[instance.id] = instance
            elif instance.status in (DEPLOYING, RUNNING):
                self._active[instance.id] = instance

    def _release_queue(self, now: float) -> None:
        for instance in self._queue.values():
            instance.queued = False
            # its waiting delay counts from creation, but it cannot leave before the release
            instance.since = max(instance.since, now - instance.delays.waiting)
        self._queue.clear()
        self._active.clear()
        self._free_since = -math.inf
