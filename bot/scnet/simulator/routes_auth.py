"""Token and platform routes: ``/api/user/v3/tokens`` and ``/ac/openapi/v2/…`` (reference §3-4).

``center`` describes the region of the token's ``clusterId`` (the platform token: the user's
own region, the first of ``User.regions``), with every list of the documented example:
``ingressUrls`` (the platform origin), ``efileUrls`` (``nodeName``, ``fastTransEnable``,
``udpPort``, all strings), ``eshellUrls``, ``hpcUrls`` and ``aiUrls``. It advertises
``aiUrls[].url`` as ``<this server's origin>/ai``: the prefix-doubling quirk of §1.2, so a client
that appends ``/ai/openapi/…`` without stripping the trailing ``/ai`` gets 404s here as it would
in production. ``enable`` is the string ``"true"`` and ``id`` a number. Every region's container
routes live at this server's root, so the correct base is the origin for each of them; regions
differ in ``id``, ``name``, ``description`` and the efile node.
"""

from __future__ import annotations

from aiohttp import web

from bot.scnet.simulator.accounts import User
from bot.scnet.simulator.catalog import PLATFORM_CLUSTER, cluster_name, region
from bot.scnet.simulator.context import caller, origin, simulator
from bot.scnet.simulator.keys import CLAIMS
from bot.scnet.simulator.wire import INVALID_PARAM, ApiError, ok

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
    return ok([{"clusterId": cluster_id, "clusterName": cluster_name(cluster_id), "token": token}])


@routes.get(f"{AC}/tokens/state")
async def token_state(request: web.Request) -> web.Response:
    caller(request, scope="any", allow_frozen=True)
    return ok("token is valid")


@routes.get(f"{AC}/center")
async def center(request: web.Request) -> web.Response:
    user = caller(request, scope="any")
    claims = request.get(CLAIMS) or {}
    cluster_id = claims.get("clusterId", PLATFORM_CLUSTER)
    if cluster_id == PLATFORM_CLUSTER:  # the platform token: describe the user's own region
        cluster_id = user.regions[0]
    described = region(cluster_id)
    if described is None:
        raise ApiError(INVALID_PARAM, "clusterId")
    base = origin(request)
    ai_urls = [{"enable": "true", "version": "2.4.3", "url": f"{base}/ai"}]
    if simulator(request).config.center_disabled_url_first:
        ai_urls.insert(0, {"enable": "false", "version": "2.3.0", "url": "http://192.0.2.1:1/ai"})
    return ok(
        {
            "id": int(described.cluster_id),
            "name": described.name,
            "description": described.description,
            "clusterUserInfo": {"userName": user.name, "homePath": user.home},
            "ingressUrls": [
                {"enable": "true", "isManagerNode": "true", "version": "5.2.2", "url": base}
            ],
            "efileUrls": [
                {
                    "nodeName": described.efile_node,
                    "enable": "true",
                    "fastTransEnable": "true",
                    "udpPort": described.efile_udp_port,
                    "version": "2.6.1",
                    "url": f"{base}/efile",
                }
            ],
            "eshellUrls": [{"enable": "true", "version": "2.4.3", "url": f"{base}/eshell"}],
            "hpcUrls": [
                {
                    "enable": "true",
                    "isManagerNode": "true",
                    "version": "5.2.2",
                    "url": f"{base}/hpc",
                }
            ],
            "aiUrls": ai_urls,
        }
    )


@routes.get(f"{AC}/user")
async def user_info(request: web.Request) -> web.Response:
    user = caller(request, scope="any", allow_frozen=True)
    return ok(_user_object(user, balance=simulator(request).balance(user.name)))


def _user_object(user: User, *, balance: str) -> dict[str, object]:
    return {
        "userName": user.name,
        "fullName": user.name.title(),
        "accountName": user.name,
        "accountStatus": user.account_status,
        "accountBalance": balance,  # falls as the user's instances run (``billing``)
        "computerCenter": cluster_name(user.regions[0]),
        "country": "中国",
        "language": "zh_CN",
        "timeZone": "Asia/Shanghai",
        "address": "",
        "email": f"{user.name}@example.invalid",
        "mobilephoneNum": "",
        "institution": "",
    }
