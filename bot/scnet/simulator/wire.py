"""SCNet's wire format as the simulator writes it: the envelope, its codes, its time formats.

Every API answer is ``{"code": "<string>", "msg": "...", "data": ...}`` (reference §2.2). The
code is a *string*; ``msg`` varies by endpoint (``success`` mostly, ``SUCCESS`` on detail).
A business error is HTTP 200 with a non-zero code unless ``SimulatorConfig.error_http_status``
says otherwise (§2.2: "HTTP status: docs say nothing").
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Final

from aiohttp import web

from bot.scnet.simulator.keys import CODE

AI: Final = "/ai/openapi/v2/instance-service"
"""Prefix of the container routes, served at the server root (reference §5)."""

OK: Final = "0"
INTERNAL: Final = "10001"
MISSING_PARAM: Final = "10003"
INVALID_PARAM: Final = "10004"
ACCOUNT_FROZEN: Final = "10007"
# documented "权限不足", used by SCNet for expired or bad tokens; an error code, not a secret
TOKEN_INVALID: Final = "10008"  # noqa: S105
API_FORBIDDEN: Final = "10009"
DB_ERROR: Final = "716020"
SCRIPT_ERROR: Final = "716864"
CREATE_ERROR: Final = "716865"
DELETE_ERROR: Final = "716866"
START_ERROR: Final = "716868"

MESSAGES: Final = {
    INTERNAL: "内部异常",
    MISSING_PARAM: "参数不全",
    INVALID_PARAM: "参数无效",
    ACCOUNT_FROZEN: "用户已被冻结",
    TOKEN_INVALID: "权限不足",
    API_FORBIDDEN: "没有权限访问接口",
    "10010": "文件校验失败",
    "10011": "文件过大",
    "10012": "连接中断",
    DB_ERROR: "查询数据库错误",
    SCRIPT_ERROR: "执行脚本错误",
    CREATE_ERROR: "创建任务错误",
    DELETE_ERROR: "删除任务失败",
    START_ERROR: "启动任务错误",
    "716870": "实例数量错误",
    "816822": "任务不存在",
}

CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


class ApiError(Exception):
    """A business error: answered as an envelope with a non-zero ``code``."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.msg = f"{MESSAGES.get(code, '错误')}{': ' + detail if detail else ''}"
        super().__init__(f"{code} {self.msg}")


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def envelope(data: object, *, msg: str = "success", code: str = OK) -> dict[str, object]:
    return {"code": code, "msg": msg, "data": data}


def json_response(body: object, *, status: int = 200) -> web.Response:
    response = web.Response(text=dumps(body), status=status, content_type="application/json")
    code = body.get("code") if isinstance(body, dict) else None
    response[CODE] = None if code is None else str(code)
    return response


def ok(data: object, *, msg: str = "success") -> web.Response:
    return json_response(envelope(data, msg=msg))


def china_time(epoch_seconds: float | None) -> str | None:
    """``yyyy-MM-dd HH:mm:ss`` in UTC+8, as SCNet shows createTime/startTime/endTime."""
    if epoch_seconds is None:
        return None
    return datetime.fromtimestamp(epoch_seconds, CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def hms(seconds: float) -> str:
    """``HH:MM:SS`` (hours may exceed 99), the format of duration, remainingTime, timeoutLimit."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
