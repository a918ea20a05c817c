"""Instance use cases: images, create, list, status, access URL, restart, stop, delete, watch.

Every SCNet call goes through ``AccountService.call`` so it is made with the caller's own
token (renewed when needed). A create is checked against the team's limits here, so every
entry point (Slack, the console) gets the check. Every mutating action lands in the audit log
with its outcome, including refusals, and a created instance is tracked and watched in the
same transaction. What a create asks for is resolved (image, node limits) by
``bot.services.instance_specs``.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from bot.domain.commands import Create, InstanceRef
from bot.domain.costs import InstanceCost
from bot.domain.identity import SlackOrigin, SlackUser
from bot.domain.instances import Image, Instance, InstanceSpec, ListFilter
from bot.domain.secret import Secret
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import InputError, ScnetError
from bot.services.accounts import AccountService
from bot.services.costs import CostService
from bot.services.errors import (
    AlreadyRunning,
    InstanceAmbiguous,
    InstanceUnknown,
    LoginNeeded,
    NameTaken,
    ServiceError,
)
from bot.services.instance_specs import SpecResolver
from bot.services.quota import check_create
from bot.store import audit, instances, watches
from bot.store.database import Database, Session
from bot.store.instances import TrackedInstance

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
LIST_LIMIT = 200
_STARTED: Final = frozenset({"Waiting", "Deploying", "Running"})  # a restart has nothing to do


@dataclass(frozen=True, slots=True)
class WatchPolicy:
    first_poll_after: timedelta = timedelta(seconds=5)
    min_interval: timedelta = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class InstanceView:
    """An instance as the user sees it: SCNet's view, plus what the bot knows of it."""

    instance: Instance
    tracked: bool
    watching: bool
    # Running time and estimated cost so far (``bot.services.costs``); None before it ran.
    cost: InstanceCost | None = None


@dataclass(frozen=True, slots=True)
class Created:
    instance_id: str
    spec: InstanceSpec


class InstanceService:
    def __init__(
        self,
        *,
        db: Database,
        client: ScnetClient,
        accounts: AccountService,
        now: Now,
        watch_policy: WatchPolicy | None = None,
        costs: CostService | None = None,
    ) -> None:
        self._db = db
        self._client = client
        self._accounts = accounts
        self._now = now
        self._watch = watch_policy or WatchPolicy()
        self._costs = costs  # budgets before a create; running time and cost on cards
        self._specs = SpecResolver(client)  # images and node limits, cached per group
        # Called after a stop or delete through the bot: the create queue's drain, so that a
        # request waiting for the capacity it frees goes at once (set by ``bot.wiring``).
        self.on_capacity_freed: Callable[[], None] = lambda: None

    # --- reads ------------------------------------------------------------------------------

    async def images(
        self, user: SlackUser, *, accelerator: str | None, image_type: str | None
    ) -> tuple[Image, ...]:
        """The images the user may start."""
        return await self._accounts.call(
            user,
            lambda caller: self._client.list_images(
                caller, accelerator=accelerator, image_type=image_type
            ),
        )

    async def list(self, user: SlackUser) -> list[InstanceView]:
        """The user's instances as SCNet lists them, each with whether the bot tracks and watches
        it."""
        page = await self._accounts.call(
            user, lambda caller: self._client.list_instances(caller, ListFilter(limit=LIST_LIMIT))
        )
        async with self._db.transaction() as session:
            tracked = {
                t.instance_id: t
                for t in await instances.list_for_owner(session, user, active_only=False)
            }
            watched = {w.instance_id for w in await watches.list_watches(session)}
        # SCNet is the truth for what exists; tracked instances it no longer lists (deleted
        # from the web console) are left out, and the store only adds what the bot knows.
        views = [
            InstanceView(i, tracked=i.id in tracked, watching=i.id in watched) for i in page.items
        ]
        return await self._with_costs(user, views)

    async def status(self, user: SlackUser, ref: InstanceRef) -> InstanceView:
        """One instance, found by id or name; the stored status follows SCNet's."""
        instance = await self._accounts.call(user, lambda caller: self._find(caller, ref))
        async with self._db.transaction() as session:
            tracked = await instances.get(session, instance.id)
            watch = await watches.get_watch(session, instance.id)
            if tracked is not None and tracked.status != instance.status:
                await instances.record_status(
                    session, instance.id, status=instance.status, now=self._now()
                )
        view = InstanceView(instance, tracked=tracked is not None, watching=watch is not None)
        return (await self._with_costs(user, [view]))[0]

    async def _with_costs(
        self, user: SlackUser, views: builtins.list[InstanceView]
    ) -> builtins.list[InstanceView]:
        """``views`` with their running time and cost; the runs they show are recorded."""
        if self._costs is None or not views:
            return views
        listed = [view.instance for view in views]
        await self._costs.note_listing(user, listed)
        found = await self._costs.instance_costs(user.team_id, listed, owner_user_id=user.user_id)
        return [replace(view, cost=found.get(view.instance.id)) for view in views]

    async def access_url(self, user: SlackUser, ref: InstanceRef) -> tuple[Instance, Secret | None]:
        """The instance and its access URL; no URL (and no request for one) unless Running."""

        async def fetch(caller: Caller) -> tuple[Instance, Secret | None]:
            instance = await self._find(caller, ref)
            if instance.status != "Running":
                return instance, None
            return instance, await self._client.get_access_url(caller, instance.id)

        return await self._accounts.call(user, fetch)

    # --- create -----------------------------------------------------------------------------

    async def create(
        self,
        user: SlackUser,
        command: Create,
        *,
        origin: SlackOrigin | None,
        is_admin: bool = False,
        quota_checked: bool = False,
        approved: bool = False,
    ) -> Created:
        """Create as ``user``, within the team's and the member's limits: the resolved spec is
        checked before SCNet is asked (``--force`` skips that, for admins only;
        ``quota_checked``: the caller has just checked it, as the create queue's drain has;
        ``approved``: an admin approved it past the team's policy, budgets included)."""
        if command.image is None:
            raise ValueError("create without an image is handled by the create modal")
        image_ref = command.image
        # A spent budget refuses before SCNet is asked anything, also a queued create's (the
        # queue checks limits, not budgets); not one an admin ``approved``.
        if self._costs is not None and not approved:
            try:
                await self._costs.check_budget(user, force=command.force, is_admin=is_admin)
            except ServiceError as error:
                await self._audit(user, "create", outcome=type(error).__name__, detail=image_ref)
                raise

        async def run(caller: Caller) -> Created:
            spec = await self._spec(caller, user, command)
            if not quota_checked:
                await check_create(self._db, user, spec, force=command.force, is_admin=is_admin)
            await self._refuse_taken_name(caller, user, spec.name)
            return Created(await self._client.create_instance(caller, spec), spec)

        try:
            created = await self._accounts.call(user, run)
        except LoginNeeded:
            raise  # nothing was tried: no audit entry
        except (ScnetError, ServiceError) as error:
            await self._audit(user, "create", outcome=type(error).__name__, detail=image_ref)
            raise
        now = self._now()
        async with self._db.transaction() as session:
            await instances.track_created(
                session, created.instance_id, spec=created.spec, owner=user, origin=origin, now=now
            )
            await self._start_watch(session, created.instance_id, now=now, soon=True)
            await audit.record(
                session,
                user,
                action="create",
                outcome="ok",
                now=now,
                instance_id=created.instance_id,
                detail=f"{created.spec.name} {created.spec.version}",
            )
        return created

    async def resolve(self, user: SlackUser, command: Create) -> InstanceSpec:
        """The spec ``command`` would create, its name chosen now when it names none, checked
        against the node's limits and the user's names but not the team's limits, with
        nothing created: what the create queue keeps while the request waits."""
        if command.image is None:
            raise ValueError("create without an image is handled by the create modal")

        async def run(caller: Caller) -> InstanceSpec:
            spec = await self._spec(caller, user, command)
            await self._refuse_taken_name(caller, user, spec.name)
            return spec

        return await self._accounts.call(user, run)

    async def find_named(self, user: SlackUser, name: str) -> Instance | None:
        """The user's instance called ``name`` as SCNet lists it now (the newest, if several)."""
        page = await self._accounts.call(
            user, lambda caller: self._client.list_instances(caller, ListFilter(limit=LIST_LIMIT))
        )
        named = [i for i in page.items if i.name == name]
        named.sort(key=lambda i: i.created_at or datetime.min.replace(tzinfo=self._now().tzinfo))
        return named[-1] if named else None

    async def adopt(
        self, user: SlackUser, instance: Instance, *, origin: SlackOrigin | None, detail: str
    ) -> None:
        """Track and watch an instance created for ``user`` whose create was not recorded (its
        outcome was unknown, or the process died before writing it), as ``create`` would
        have; audited as a create found again."""
        now = self._now()
        async with self._db.transaction() as session:
            # Idempotent: takes over a record the usage sync may have made of it meanwhile.
            await instances.track_created(
                session,
                instance.id,
                spec=InstanceSpec(
                    name=instance.name,
                    task_type=instance.task_type,
                    accelerator=instance.accelerator,
                    resource_group=instance.resource_group,
                    version=instance.version,
                    image_path=instance.image_path,
                    resources=instance.resources,
                    timeout_limit=instance.timeout_limit,
                    description=instance.description,
                ),
                owner=user,
                origin=origin,
                now=now,
                status=instance.status,
            )
            await self._start_watch(session, instance.id, now=now, soon=False)
            await audit.record(
                session,
                user,
                action="create",
                outcome="reconciled",
                now=now,
                instance_id=instance.id,
                detail=detail[:200],
            )

    async def _spec(self, caller: Caller, user: SlackUser, command: Create) -> InstanceSpec:
        return await self._specs.spec(
            caller, command, default_name=lambda: self._default_name(user)
        )

    async def _refuse_taken_name(self, caller: Caller, user: SlackUser, name: str) -> None:
        """``NameTaken`` when the user has an instance called ``name`` already.

        The bot's records (what it created, listed or synced for the user) say whether one
        may exist, so a new name costs no SCNet read; only then does SCNet's list decide,
        because the one the bot knows may have been deleted from SCNet's web console."""
        async with self._db.transaction() as session:
            known = await instances.list_for_owner(session, user)
        if not any(t.name == name for t in known):
            return
        page = await self._client.list_instances(caller, ListFilter(limit=LIST_LIMIT))
        for listed in page.items:
            if listed.name == name:
                raise NameTaken(name=name, instance_id=listed.id)

    def _default_name(self, user: SlackUser) -> str:
        stamp = self._now().strftime("%m%d%H%M%S")
        return f"slack-{user.user_id.lower()[-8:]}-{stamp}"

    # --- actions ----------------------------------------------------------------------------

    async def restart(self, user: SlackUser, ref: InstanceRef) -> Instance:
        """Restart the instance (audited) and watch it until it is ready again."""
        return await self._act(user, ref, "restart")

    async def stop(self, user: SlackUser, ref: InstanceRef) -> Instance:
        """Stop the instance (audited)."""
        return await self._act(user, ref, "stop")

    async def delete(self, user: SlackUser, ref: InstanceRef) -> Instance:
        """Delete the instance (audited) and stop watching it."""
        return await self._act(user, ref, "delete")

    async def _act(self, user: SlackUser, ref: InstanceRef, action: str) -> Instance:
        async def run(caller: Caller) -> Instance:
            instance = await self._find(caller, ref)
            if action == "restart" and instance.status in _STARTED:
                raise AlreadyRunning(name=instance.name, status=instance.status)
            if action == "restart":
                await self._client.restart_instance(caller, instance.id)
            elif action == "stop":
                await self._client.stop_instances(caller, [instance.id])
            else:
                await self._client.delete_instances(caller, [instance.id])
            return instance

        try:
            instance = await self._accounts.call(user, run)
        except (ScnetError, InstanceUnknown, InstanceAmbiguous) as error:
            await self._audit(user, action, outcome=type(error).__name__, detail=ref.value)
            raise
        now = self._now()
        async with self._db.transaction() as session:
            await audit.record(
                session, user, action=action, outcome="ok", now=now, instance_id=instance.id
            )
            if action == "delete":
                await instances.mark_deleted(session, instance.id, now=now)
                await watches.stop_watch(session, instance.id)
            elif action == "restart":
                await self._ensure_tracked(session, user, instance, origin=None)
                await self._start_watch(session, instance.id, now=now, soon=True)
        if action in {"stop", "delete"}:
            self.on_capacity_freed()
        return instance

    async def watch(
        self, user: SlackUser, ref: InstanceRef, *, origin: SlackOrigin | None
    ) -> Instance:
        """Watch the instance until it is ready; the user hears where ``origin`` says (audited)."""
        instance = await self._accounts.call(user, lambda caller: self._find(caller, ref))
        now = self._now()
        async with self._db.transaction() as session:
            await self._ensure_tracked(session, user, instance, origin=origin)
            await self._start_watch(session, instance.id, now=now, soon=False)
            await audit.record(
                session, user, action="watch", outcome="ok", now=now, instance_id=instance.id
            )
        return instance

    async def unwatch(self, user: SlackUser, ref: InstanceRef) -> Instance:
        """Stop watching the instance (audited)."""
        instance = await self._accounts.call(user, lambda caller: self._find(caller, ref))
        async with self._db.transaction() as session:
            await watches.stop_watch(session, instance.id)
            await audit.record(
                session,
                user,
                action="unwatch",
                outcome="ok",
                now=self._now(),
                instance_id=instance.id,
            )
        return instance

    # --- shared -----------------------------------------------------------------------------

    async def _start_watch(
        self, session: Session, instance_id: str, *, now: datetime, soon: bool
    ) -> None:
        """Watch from the fastest interval: ``soon`` leaves SCNet a moment to register a
        create or restart first; otherwise (``watch``) the first poll is due at once."""
        first_poll = now + self._watch.first_poll_after if soon else now
        await watches.start_watch(
            session,
            instance_id,
            first_poll_at=first_poll,
            interval_seconds=self._watch.min_interval.total_seconds(),
            now=now,
        )

    async def _ensure_tracked(
        self, session: Session, user: SlackUser, instance: Instance, *, origin: SlackOrigin | None
    ) -> TrackedInstance:
        existing = await instances.get(session, instance.id)
        if existing is None:
            return await instances.track_synced(session, instance, owner=user, now=self._now())
        if existing.status != instance.status:  # the store follows what SCNet just said
            recorded = await instances.record_status(
                session, instance.id, status=instance.status, now=self._now()
            )
            return recorded or existing
        return existing

    async def _find(self, caller: Caller, ref: InstanceRef) -> Instance:
        """The caller's instance named by ``ref``; SCNet's own ownership check applies."""
        if ref.kind == "id":
            try:
                return await self._client.get_instance(caller, ref.value)
            except InputError:
                raise InstanceUnknown(part=ref.value) from None
        page = await self._client.list_instances(caller, ListFilter(limit=LIST_LIMIT))
        matches = [i for i in page.items if ref.matches(i)]
        if not matches:
            raise InstanceUnknown(part=ref.value)
        if len(matches) > 1:
            raise InstanceAmbiguous(
                part=ref.value, candidates=[f"{m.name} ({m.id[:8]})" for m in matches]
            )
        return await self._client.get_instance(caller, matches[0].id)

    async def _audit(self, user: SlackUser, action: str, *, outcome: str, detail: str) -> None:
        async with self._db.transaction() as session:
            await audit.record(
                session, user, action=action, outcome=outcome, now=self._now(), detail=detail[:200]
            )
