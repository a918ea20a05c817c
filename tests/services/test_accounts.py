"""The token lifecycle against the simulator and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from bot.domain.identity import LoginRequiredReason
from bot.domain.secret import Secret
from bot.scnet.client import Caller
from bot.scnet.errors import TokenInvalid
from bot.services.accounts import AccountPolicy, AccountService, LoginNeeded, LoginRejected
from bot.store.database import Database
from tests.services.conftest import ALICE, Services

RENEW = "/ac/openapi/v2/tokens/next"


async def login(services: Services, *, ttl: float = 86400) -> Secret:
    token = Secret(services.scnet.sim.issue_token("alice", ttl_seconds=ttl))
    await services.accounts.login_with_token(ALICE, token)
    return token


async def test_login_validates_reads_claims_and_discovers_the_region(services: Services) -> None:
    await login(services)
    summary = await services.accounts.summary(ALICE)
    assert summary is not None
    assert summary.identity.scnet_user == "alice"
    assert summary.identity.cluster_id == "11250"
    assert summary.identity.ai_base_url == services.scnet.base_url
    assert summary.token_expires_at is not None
    assert services.scnet.sim.requests.count("GET", "/ac/openapi/v2/tokens/state") == 1
    assert services.scnet.sim.requests.count("GET", "/ac/openapi/v2/center") == 1


@pytest.mark.parametrize(
    ("make_token", "key"),
    [
        (lambda s: "not a token", "login.not_a_token"),
        (lambda s: s.scnet.sim.issue_token("alice", cluster_id="0"), "login.platform_token"),
        (lambda s: s.scnet.sim.issue_token("alice", ttl_seconds=-5), "login.token_expired"),
        (lambda s: s.scnet.sim.issue_token("alice")[:-4] + "AAAA", "login.token_refused"),
    ],
)
async def test_unusable_logins_are_refused_and_nothing_is_stored(
    services: Services, make_token: object, key: str
) -> None:
    token = Secret(make_token(services))  # type: ignore[operator]
    with pytest.raises(LoginRejected) as caught:
        await services.accounts.login_with_token(ALICE, token)
    assert caught.value.message_key == key
    assert token.reveal() not in str(caught.value)
    assert await services.accounts.summary(ALICE) is None


async def test_calls_go_out_with_the_users_own_token(services: Services) -> None:
    token = await login(services)
    seen: list[Caller] = []

    async def operation(caller: Caller) -> str:
        seen.append(caller)
        return "done"

    assert await services.accounts.call(ALICE, operation) == "done"
    assert seen[0].token == token
    assert seen[0].ai_base_url == services.scnet.base_url


async def test_a_token_near_expiry_is_renewed_before_the_call(services: Services) -> None:
    old = await login(services, ttl=20 * 60)  # inside the 30-minute renewal margin
    caller = await services.accounts.caller(ALICE)
    assert caller.token != old
    assert services.scnet.sim.requests.count("POST", RENEW) == 1
    summary = await services.accounts.summary(ALICE)
    assert summary is not None
    assert summary.token_expires_at is not None
    assert summary.token_expires_at > services.now()


async def test_a_10008_answer_renews_once_and_retries_once(services: Services) -> None:
    await login(services)
    services.scnet.sim.faults.fail_next("GET", "*/resource-group", code="10008")
    client = services.client
    groups = await services.accounts.call(ALICE, client.list_resource_groups)
    assert "TeslaM40" in groups
    assert services.scnet.sim.requests.count("POST", RENEW) == 1
    assert services.scnet.sim.requests.count("GET", "*/resource-group") == 2


async def test_a_second_10008_after_renewal_surfaces(services: Services) -> None:
    await login(services)
    services.scnet.sim.faults.fail_next("GET", "*/resource-group", code="10008", times=2)
    client = services.client
    with pytest.raises(TokenInvalid):
        await services.accounts.call(ALICE, client.list_resource_groups)
    assert services.scnet.sim.requests.count("POST", RENEW) == 1


async def test_concurrent_renewals_collapse_into_one_scnet_call(services: Services) -> None:
    await login(services, ttl=10 * 60)
    # SCNet holds the first renewal until it has arrived: by then every other caller has read
    # the old token (waiting on the lock, or, were there none, on its way to renew it too).
    renewal = services.scnet.sim.faults.hold("POST", RENEW)
    callers = asyncio.gather(*(services.accounts.caller(ALICE) for _ in range(10)))
    await services.scnet.sim.requests.wait_for("POST", RENEW)
    renewal.release()
    tokens = await callers
    assert services.scnet.sim.requests.count("POST", RENEW) == 1
    assert len({c.token.reveal() for c in tokens}) == 1


async def test_refused_renewal_without_credentials_asks_for_a_new_login(
    services: Services,
) -> None:
    await login(services, ttl=10 * 60)
    services.scnet.sim.faults.fail_next("POST", RENEW, code="10008")
    with pytest.raises(LoginNeeded) as caught:
        await services.accounts.caller(ALICE)
    assert caught.value.reason is LoginRequiredReason.RENEWAL_FAILED
    with pytest.raises(LoginNeeded):  # remembered: no second SCNet round trip
        await services.accounts.caller(ALICE)
    assert services.scnet.sim.requests.count("POST", RENEW) == 1


async def test_refused_renewal_with_stored_keys_mints_a_fresh_token(services: Services) -> None:
    await services.accounts.login_with_keys(
        ALICE,
        scnet_user="alice",
        access_key=Secret("AK-alice"),
        secret_key=Secret("SK-alice-secret"),
        keep_credentials=True,
    )
    services.scnet.clock.advance(86400 - 60)  # the token is about to expire
    services.scnet.sim.faults.fail_next("POST", RENEW, code="10008")
    caller = await services.accounts.caller(ALICE)
    await services.client.check_token(caller.token)
    assert services.scnet.sim.requests.count("POST", "/api/user/v3/tokens") == 2


async def test_wrong_keys_are_refused(services: Services) -> None:
    with pytest.raises(LoginRejected) as caught:
        await services.accounts.login_with_keys(
            ALICE,
            scnet_user="alice",
            access_key=Secret("AK-alice"),
            secret_key=Secret("wrong-secret"),
            keep_credentials=True,
        )
    assert caught.value.message_key == "login.keys_refused"
    assert "wrong-secret" not in str(caught.value)


async def test_logout_forgets_everything(services: Services) -> None:
    await login(services)
    assert await services.accounts.logout(ALICE) is True
    assert await services.accounts.summary(ALICE) is None
    with pytest.raises(LoginNeeded) as caught:
        await services.accounts.caller(ALICE)
    assert caught.value.reason is LoginRequiredReason.NOT_LOGGED_IN
    assert await services.accounts.logout(ALICE) is False


class AccountReads:
    """Counts the SELECTs on the accounts table that reach the database."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM accounts" in statement:
            self.count += 1


async def _noop(_: Caller) -> None:
    return None


async def test_the_first_call_after_a_login_reads_nothing_back(services: Services) -> None:
    await login(services)
    reads = AccountReads(services.database)
    await services.accounts.call(ALICE, _noop)
    assert reads.count == 0


async def test_a_burst_of_calls_reads_the_login_once(services: Services) -> None:
    await login(services)
    seconds = [0.0]
    accounts = AccountService(
        db=services.database,
        vault=services.vault,
        client=services.client,
        policy=AccountPolicy(default_ai_url=services.scnet.base_url, discover_region=True),
        now=services.now,
        clock=lambda: seconds[0],
    )
    reads = AccountReads(services.database)
    await asyncio.gather(*(accounts.call(ALICE, _noop) for _ in range(10)))
    assert reads.count == 1
    seconds[0] = 29.0
    await accounts.call(ALICE, _noop)
    assert reads.count == 1  # still cached
    seconds[0] = 31.0
    await asyncio.gather(*(accounts.call(ALICE, _noop) for _ in range(5)))
    assert reads.count == 2  # expired: read again, once
