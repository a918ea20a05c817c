"""Tokens, logins, renewal and the platform routes, over the wire (reference §2.4, §3, §4)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import aiohttp
import pytest

from bot.scnet.simulator import ManualClock, ScnetSimulator

from .conftest import AC, AI, Api

REGION = "11250"
OTHER_REGION = "11276"
ORG = {"orgId": "org-1"}


def aksk_headers(
    *, user: str = "alice", ak: str = "ak-alice", sk: str = "sk-alice", timestamp: int
) -> dict[str, str]:
    message = f'{{"accessKey":"{ak}","timestamp":"{timestamp}","user":"{user}"}}'
    signature = hmac.new(sk.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"user": user, "accessKey": ak, "timestamp": str(timestamp), "signature": signature}


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


async def test_aksk_login_returns_region_tokens_then_the_platform_token(
    anonymous: Api, clock: ManualClock
) -> None:
    reply = await anonymous.post(
        "/api/user/v3/tokens", headers=aksk_headers(timestamp=int(clock()))
    )

    assert reply.status == 200
    assert reply.code == "0"
    assert [(r["clusterId"], r["clusterName"]) for r in reply.data] == [
        (REGION, "华东一区【昆山】"),
        ("0", "ac"),  # last, as in the official example (reference §3.1)
    ]
    assert all(isinstance(r["token"], str) for r in reply.data)
    assert [claims_of(r["token"])["clusterId"] for r in reply.data] == [REGION, "0"]


async def test_password_login_answers_in_the_same_order(anonymous: Api) -> None:
    headers = {"user": "bob", "password": "bob-pw", "orgId": "org-1"}
    reply = await anonymous.post(f"{AC}/tokens", headers=headers)
    assert [r["clusterId"] for r in reply.data] == [REGION, "0"]


async def test_platform_token_first_knob(
    sim: ScnetSimulator, anonymous: Api, clock: ManualClock
) -> None:
    sim.config.update({"platform_token_first": True})
    reply = await anonymous.post(
        "/api/user/v3/tokens", headers=aksk_headers(timestamp=int(clock()))
    )
    assert [r["clusterId"] for r in reply.data] == ["0", REGION]


async def test_token_is_hs256_with_string_claims(anonymous: Api, clock: ManualClock) -> None:
    reply = await anonymous.post(
        "/api/user/v3/tokens", headers=aksk_headers(timestamp=int(clock()))
    )
    token = reply.data[0]["token"]

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=" * 4))
    claims = claims_of(token)
    assert header["alg"] == "HS256"
    assert set(claims) == {
        "computeUser",
        "accountStatus",
        "creator",
        "role",
        "expireTime",
        "clusterId",
        "invoker",
        "user",
        "userId",
    }
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["expireTime"] == str(int((clock() + 86400) * 1000))  # epoch milliseconds
    assert claims["creator"] == "ac"
    assert claims["user"] == "alice"
    assert claims["clusterId"] == REGION
    assert claims["invoker"] == "ak-alice"


async def test_aksk_wrong_signature_is_refused(anonymous: Api, clock: ManualClock) -> None:
    headers = aksk_headers(sk="not-the-secret", timestamp=int(clock()))
    reply = await anonymous.post("/api/user/v3/tokens", headers=headers)
    assert reply.code == "10009"
    assert reply.data is None


def signed_headers(
    *, user: str, ak: str, sk: str, timestamp: int, ensure_ascii: bool
) -> dict[str, str]:
    fields = {"accessKey": ak, "timestamp": str(timestamp), "user": user}
    message = json.dumps(fields, separators=(",", ":"), ensure_ascii=ensure_ascii)
    signature = hmac.new(sk.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"user": user, "accessKey": ak, "timestamp": str(timestamp), "signature": signature}


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["raw-utf8", "ascii-escaped"])
async def test_aksk_non_ascii_user_signed_either_way_is_accepted(
    sim: ScnetSimulator, anonymous: Api, clock: ManualClock, ensure_ascii: bool
) -> None:
    sim.add_user("测试", access_key="ak-cn", secret_key="sk-cn")
    headers = signed_headers(
        user="测试", ak="ak-cn", sk="sk-cn", timestamp=int(clock()), ensure_ascii=ensure_ascii
    )
    reply = await anonymous.post("/api/user/v3/tokens", headers=headers)
    assert reply.code == "0", reply.body
    assert claims_of(reply.data[0]["token"])["user"] == "测试"


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["raw-utf8", "ascii-escaped"])
async def test_aksk_non_ascii_user_wrong_secret_is_refused(
    sim: ScnetSimulator, anonymous: Api, clock: ManualClock, ensure_ascii: bool
) -> None:
    sim.add_user("测试", access_key="ak-cn", secret_key="sk-cn")
    headers = signed_headers(
        user="测试", ak="ak-cn", sk="sk-wrong", timestamp=int(clock()), ensure_ascii=ensure_ascii
    )
    reply = await anonymous.post("/api/user/v3/tokens", headers=headers)
    assert reply.code == "10009"
    assert reply.data is None


async def test_aksk_unknown_access_key_is_refused(anonymous: Api, clock: ManualClock) -> None:
    headers = aksk_headers(ak="ak-other", timestamp=int(clock()))
    assert (await anonymous.post("/api/user/v3/tokens", headers=headers)).code == "10009"


@pytest.mark.parametrize("skew", [-301, 301])
async def test_aksk_stale_timestamp_is_refused(
    anonymous: Api, clock: ManualClock, skew: int
) -> None:
    headers = aksk_headers(timestamp=int(clock()) + skew)
    assert (await anonymous.post("/api/user/v3/tokens", headers=headers)).code == "10004"


async def test_aksk_missing_header_is_10003(anonymous: Api, clock: ManualClock) -> None:
    headers = aksk_headers(timestamp=int(clock()))
    del headers["signature"]
    assert (await anonymous.post("/api/user/v3/tokens", headers=headers)).code == "10003"


async def test_password_login_reads_headers_case_insensitively(anonymous: Api) -> None:
    headers = {"user": "bob", "password": "bob-pw", "orgid": "org-1"}  # the cURL's lower case
    reply = await anonymous.post(f"{AC}/tokens", headers=headers)
    assert reply.code == "0"
    assert claims_of(reply.data[0]["token"])["invoker"] == "org-1"


async def test_password_login_wrong_password(anonymous: Api) -> None:
    headers = {"user": "bob", "password": "nope", "orgId": "org-1"}
    assert (await anonymous.post(f"{AC}/tokens", headers=headers)).code == "10009"


async def test_frozen_account_gets_null_tokens(
    sim: ScnetSimulator, anonymous: Api, clock: ManualClock
) -> None:
    sim.user("alice").frozen = True
    reply = await anonymous.post(
        "/api/user/v3/tokens", headers=aksk_headers(timestamp=int(clock()))
    )
    assert reply.code == "0"
    assert [region["token"] for region in reply.data] == [None, None]


async def test_frozen_account_is_10007_on_containers(sim: ScnetSimulator, alice: Api) -> None:
    sim.user("alice").frozen = True
    assert (await alice.get(f"{AI}/resource-group")).code == "10007"
    user = await alice.get(f"{AC}/user")  # still answers, so the bot can say why
    assert user.data["accountStatus"] == "Disable"


async def test_platform_token_is_refused_on_containers(sim: ScnetSimulator, alice: Api) -> None:
    alice.token = sim.issue_token("alice", cluster_id="0")
    assert (await alice.get(f"{AI}/resource-group")).code == "10009"
    assert (await alice.get(f"{AC}/user")).code == "0"


async def test_missing_or_garbled_token_is_10008(anonymous: Api, alice: Api) -> None:
    assert (await anonymous.get(f"{AI}/resource-group")).code == "10008"
    assert alice.token is not None
    alice.token = alice.token[:-2] + ("AA" if not alice.token.endswith("AA") else "BB")
    assert (await alice.get(f"{AI}/resource-group")).code == "10008"


async def test_token_sent_as_authorization_is_not_accepted(alice: Api) -> None:
    token, alice.token = alice.token, None
    reply = await alice.get(f"{AI}/resource-group", headers={"Authorization": f"Bearer {token}"})
    assert reply.code == "10008"


async def test_token_of_another_simulator_is_10008(alice: Api, clock: ManualClock) -> None:
    other = ScnetSimulator(clock=clock)
    other.add_user("alice")
    alice.token = other.issue_token("alice")
    assert (await alice.get(f"{AI}/resource-group")).code == "10008"


async def test_expired_token_is_10008(alice: Api, clock: ManualClock) -> None:
    assert (await alice.get(f"{AC}/tokens/state")).data == "token is valid"
    clock.advance(86400)
    reply = await alice.get(f"{AC}/tokens/state")
    assert reply.code == "10008"
    assert reply.status == 200


async def test_renew_returns_a_string_token_by_default(alice: Api, clock: ManualClock) -> None:
    clock.advance(86400 + 3600)  # expired an hour ago: still renewable
    reply = await alice.post(f"{AC}/tokens/next")
    assert reply.code == "0"
    assert isinstance(reply.data, str)
    assert claims_of(reply.data)["clusterId"] == REGION
    alice.token = reply.data
    assert (await alice.get(f"{AC}/tokens/state")).code == "0"


@pytest.mark.parametrize(
    ("shape", "pick"),
    [("object", lambda data: data["token"]), ("list", lambda data: data[0]["token"])],
)
async def test_renew_shape_knob(sim: ScnetSimulator, alice: Api, shape: str, pick: object) -> None:
    sim.config.update({"renew_shape": shape})
    reply = await alice.post(f"{AC}/tokens/next")
    assert callable(pick)
    assert claims_of(pick(reply.data))["user"] == "alice"


async def test_renew_more_than_24h_after_expiry_is_refused(alice: Api, clock: ManualClock) -> None:
    clock.advance(86400 + 86400 + 1)
    assert (await alice.post(f"{AC}/tokens/next")).code == "10008"


async def test_center_advertises_ai_url_with_trailing_ai(alice: Api, base: str) -> None:
    reply = await alice.get(f"{AC}/center")
    data = reply.data

    assert reply.code == "0"
    assert data["id"] == 11250  # a number
    assert data["clusterUserInfo"] == {"userName": "alice", "homePath": "/public/home/alice"}
    assert data["aiUrls"] == [{"enable": "true", "version": "2.4.3", "url": f"{base}/ai"}]
    assert {"hpcUrls", "efileUrls", "name", "description"} <= set(data)


async def test_center_has_every_list_of_the_documented_example(alice: Api, base: str) -> None:
    data = (await alice.get(f"{AC}/center")).data

    assert data["name"] == "华东一区【昆山】"
    assert isinstance(data["description"], str)
    assert data["ingressUrls"] == [
        {"enable": "true", "isManagerNode": "true", "version": "5.2.2", "url": base}
    ]
    [efile] = data["efileUrls"]
    assert set(efile) == {"nodeName", "enable", "fastTransEnable", "udpPort", "version", "url"}
    assert (efile["enable"], efile["fastTransEnable"], efile["url"]) == (
        "true",
        "true",
        f"{base}/efile",
    )
    assert efile["nodeName"]
    assert efile["udpPort"].isdigit()  # a string, like every value of the example
    assert data["eshellUrls"] == [{"enable": "true", "version": "2.4.3", "url": f"{base}/eshell"}]
    [hpc] = data["hpcUrls"]
    assert set(hpc) == {"enable", "isManagerNode", "version", "url"}


async def test_login_mints_a_token_per_region_of_the_user(
    sim: ScnetSimulator, anonymous: Api
) -> None:
    sim.add_user("dave", password="pw", regions=[REGION, OTHER_REGION])
    sim.add_user("erin", password="pw", regions=[OTHER_REGION])
    for user, expected in (("dave", [REGION, OTHER_REGION, "0"]), ("erin", [OTHER_REGION, "0"])):
        reply = await anonymous.post(f"{AC}/tokens", headers={"user": user, "password": "pw"} | ORG)
        assert [r["clusterId"] for r in reply.data] == expected
        assert [claims_of(r["token"])["clusterId"] for r in reply.data] == expected
    assert reply.data[0]["clusterName"] == "西北一区【西安】"


async def test_center_describes_the_region_of_the_token(
    sim: ScnetSimulator, http: aiohttp.ClientSession, base: str
) -> None:
    sim.add_user("dave", regions=[REGION, OTHER_REGION])
    described = {}
    for cluster in (REGION, OTHER_REGION, "0"):
        api = Api(http, base, sim.issue_token("dave", cluster_id=cluster))
        data = (await api.get(f"{AC}/center")).data
        described[cluster] = (data["id"], data["name"], data["efileUrls"][0]["nodeName"])
    assert described[OTHER_REGION][:2] == (11276, "西北一区【西安】")
    assert described[REGION][:2] == (11250, "华东一区【昆山】")
    assert described[OTHER_REGION][2] != described[REGION][2]
    assert described["0"] == described[REGION]  # the platform token: the user's own region


async def test_platform_token_center_of_a_user_elsewhere(
    sim: ScnetSimulator, http: aiohttp.ClientSession, base: str
) -> None:
    sim.add_user("erin", regions=[OTHER_REGION])
    api = Api(http, base, sim.issue_token("erin", cluster_id="0"))
    assert (await api.get(f"{AC}/center")).data["id"] == 11276
    assert (await api.get(f"{AC}/user")).data["computerCenter"] == "西北一区【西安】"
    api.token = sim.issue_token("erin")  # the default: the user's first region
    assert claims_of(api.token)["clusterId"] == OTHER_REGION


def test_regions_must_be_known_and_tokens_held(sim: ScnetSimulator) -> None:
    with pytest.raises(ValueError, match="regions"):
        sim.add_user("frank", regions=["99999"])
    with pytest.raises(ValueError, match="regions"):
        sim.add_user("frank", regions=[])
    with pytest.raises(ValueError, match="no account"):
        sim.issue_token("alice", cluster_id=OTHER_REGION)  # alice is in 11250 only


async def test_prefix_doubling_fails_and_stripping_works(alice: Api) -> None:
    ai_url = (await alice.get(f"{AC}/center")).data["aiUrls"][0]["url"]
    alice.base = ai_url  # appending the doc path as-is: /ai/ai/openapi/...
    assert (await alice.get(f"{AI}/resource-group")).status == 404
    alice.base = ai_url.removesuffix("/ai")
    assert (await alice.get(f"{AI}/resource-group")).code == "0"


async def test_center_can_list_a_disabled_url_first(sim: ScnetSimulator, alice: Api) -> None:
    sim.config.center_disabled_url_first = True
    urls = (await alice.get(f"{AC}/center")).data["aiUrls"]
    assert [u["enable"] for u in urls] == ["false", "true"]


async def test_user_info_balance_is_a_string(sim: ScnetSimulator, alice: Api) -> None:
    sim.user("alice").balance = "1234.50"
    data = (await alice.get(f"{AC}/user")).data
    assert data["accountBalance"] == "1234.50"
    assert data["userName"] == "alice"
    assert data["accountStatus"] == "Normal"
    assert {"fullName", "accountName", "computerCenter"} <= set(data)
