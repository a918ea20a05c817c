"""Token and platform routes: ``/api/user/v3/tokens`` and ``/ac/openapi/v2/…`` (reference §3-4).

``center`` advertises ``aiUrls[].url`` as ``<this server's origin>/ai``: the prefix-doubling
quirk of §1.2, so a client that appends ``/ai/openapi/…`` without stripping the trailing ``/ai``
gets 404s here as it would in production. ``enable`` is the string ``"true"`` and ``id`` a
number. The container routes live at the server root, so the correct base is the origin.
"""

from __future__ import annotations

from aiohttp import web

from bot.scnet.simulator.accounts import User
from bot.scnet.simulator.catalog import PLATFORM_CLUSTER, REGIONS
from bot.scnet.simulator.context import caller, origin, simulator
from bot.scnet.simulator.keys import CLAIMS
from bot.scnet.simulator.wire import ok

routes = web.RouteTableDef()
AC = "/ac/openapi/v2"


@routes.post("/api/user/v3/tokens")
async def tokens_by_access_key(request: web.Request) -> web.Response:
    accounts = simulator(request).accounts
    user, invoker = accounts.login_aksk(request.headers)
    return ok(accounts.region_tokens(user, invoker=invoker))


@routes.post(f"{AC}/tokens")
async def tokens_by_password(request: web.Request) -> web.Response:
    accounts = simulator(request).accounts
    user, invoker = accounts.login_password(request.headers)
    return ok(accounts.region_tokens(user, invoker=invoker))


@routes.post(f"{AC}/tokens/next")
async def renew_token(request: web.Request) -> web.Response:
    sim = simulator(request)
    claims = request.get(CLAIMS)
    _, token = sim.accounts.renew(claims)
    shape = sim.config.renew_shape
    if shape == "string":
        return ok(token)
    if shape == "object":
        return ok({"token": token})
    cluster_id = claims["clusterId"] if claims else PLATFORM_CLUSTER
    return ok([{"clusterId": cluster_id, "clusterName": _region_name(cluster_id), "token": token}])


@routes.get(f"{AC}/tokens/state")
async def token_state(request: web.Request) -> web.Response:
    caller(request, scope="any", allow_frozen=True)
    return ok("token is valid")


@routes.get(f"{AC}/center")
async def center(request: web.Request) -> web.Response:
    user = caller(request, scope="any")
    claims = request.get(CLAIMS) or {}
    cluster_id = claims.get("clusterId", PLATFORM_CLUSTER)
    if cluster_id == PLATFORM_CLUSTER:  # the platform token: describe the first region
        cluster_id = REGIONS[1][0]
    base = origin(request)
    ai_urls = [{"enable": "true", "version": "2.4.3", "url": f"{base}/ai"}]
    if simulator(request).config.center_disabled_url_first:
        ai_urls.insert(0, {"enable": "false", "version": "2.3.0", "url": "http://192.0.2.1:1/ai"})
    return ok(
        {
            "id": int(cluster_id),
            "name": _region_name(cluster_id),
            "description": "",
            "clusterUserInfo": {"userName": user.name, "homePath": user.home},
            "aiUrls": ai_urls,
            "hpcUrls": [
                {
                    "enable": "true",
                    "isManagerNode": "true",
                    "version": "5.2.2",
                    "url": f"{base}/hpc",
                }
            ],
            "efileUrls": [{"enable": "true", "version": "2.6.1", "url": f"{base}/efile"}],
        }
    )


@routes.get(f"{AC}/user")
async def user_info(request: web.Request) -> web.Response:
    user = caller(request, scope="any", allow_frozen=True)
    return ok(_user_object(user))


def _user_object(user: User) -> dict[str, object]:
    return {
        "userName": user.name,
        "fullName": user.name.title(),
        "accountName": user.name,
        "accountStatus": user.account_status,
        "accountBalance": user.balance,
        "computerCenter": REGIONS[1][1],
        "country": "中国",
        "language": "zh_CN",
        "timeZone": "Asia/Shanghai",
        "address": "",
        "email": f"{user.name}@example.invalid",
        "mobilephoneNum": "",
        "institution": "",
    }


def _region_name(cluster_id: str) -> str:
    return dict(REGIONS).get(cluster_id, cluster_id)
