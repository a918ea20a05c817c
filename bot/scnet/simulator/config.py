"""Wire-format knobs: which of SCNet's documented (or contradictory) shapes the simulator answers.

Each knob reproduces a quirk of the reference (``/work/shared/reference/scnet-openapi.md``) so a
test can pin the client's handling of every variant. Knob (default): meaning.

``error_http_status`` (200)
    HTTP status of business errors (§2.2: undocumented; one client parses non-2xx JSON too).
``list_shape`` ("list")
    List ``data``: ``{"total", "list"}``; ``"records"`` -> ``{"total", "records"}``;
    ``"bare"`` -> a bare array (§5.6: unknown, so all of them).
``renew_shape`` ("string")
    ``tokens/next`` ``data``: the token string (what the only public client reads);
    ``"object"`` -> ``{token}``; ``"list"`` -> ``[{clusterId, clusterName, token}]`` (§3.3).
``old_images_shape`` ("list")
    Old ``GET …/images``: a list; ``"object"`` -> the first match alone, like the seed (§5.4).
``create_shape`` ("string")
    Create ``data``: the id string (doc); ``"object"`` -> ``{instanceServiceId, taskId}``
    like an MCP mock (§5.5).
``resource_group_shape`` ("objects")
    ``resource-group`` ``data``: ``[{id, name, acceleratorType}]``; ``"strings"`` ->
    ``["TeslaM40", …]`` (§5.1: shape unknown).
``url_stray_spaces`` (False)
    ``/url`` answers ``…/jupyter-forward/ <hex>/ ?token=…`` as the doc's table does (§5.8).
``url_host`` (None)
    ``scheme://host:port`` of access URLs; None: the simulator's own origin, where it serves a
    placeholder notebook page.
``center_disabled_url_first`` (False)
    ``center`` lists a disabled ``aiUrls`` entry (``enable: "false"``, unroutable url) before
    the good one (§3.5).
``platform_token_first`` (False)
    Token minting (``/api/user/v3/tokens``, ``/ac/openapi/v2/tokens``) answers the region
    tokens first and the platform token (``clusterId "0"``, ``ac``) last, as the official
    example does; True puts the platform token first, for clients that take ``data[0]`` (§3.1).
``not_found_code`` ("10004")
    Code for an instance id that is unknown *or another user's*; never says which (§2.3 has
    no usable "not found" code: 816822 is from the internal API, 716020 reads as transient).
``url_not_ready_code`` ("10004")
    Code for ``/url`` before the instance is Running (§5.8 [INF]).
``token_ttl_seconds`` (86400)
    Lifetime of minted and renewed tokens (§2.4: 24 h).
``renew_grace_seconds`` (86400)
    Renewal is refused with 10008 once a token is this long past expiry (§3.3).
``signature_skew_seconds`` (300)
    AK/SK ``timestamp`` tolerance; beyond it 10004.
``fail_probability`` (0.0)
    Chance that a created or restarted instance ends Deploying in Failed (seeded RNG).
``log_limit`` (100000)
    Request-log entries kept (per-route counters are never trimmed); read at construction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import TypeAdapter

ListShape = Literal["list", "records", "bare"]
RenewShape = Literal["string", "object", "list"]
OldImagesShape = Literal["list", "object"]
CreateShape = Literal["string", "object"]
ResourceGroupShape = Literal["objects", "strings"]


@dataclass(slots=True)
class SimulatorConfig:
    error_http_status: int = 200
    list_shape: ListShape = "list"
    renew_shape: RenewShape = "string"
    old_images_shape: OldImagesShape = "list"
    create_shape: CreateShape = "string"
    resource_group_shape: ResourceGroupShape = "objects"
    url_stray_spaces: bool = False
    url_host: str | None = None
    center_disabled_url_first: bool = False
    platform_token_first: bool = False
    not_found_code: str = "10004"
    url_not_ready_code: str = "10004"
    token_ttl_seconds: float = 86400.0
    renew_grace_seconds: float = 86400.0
    signature_skew_seconds: float = 300.0
    fail_probability: float = 0.0
    log_limit: int = 100_000

    def update(self, values: Mapping[str, object]) -> None:
        """Set knobs by name (the ``/_sim/config`` route), validating names and types first."""
        unknown = set(values) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown knobs: {sorted(unknown)}")
        merged = {**dataclasses.asdict(self), **values}
        checked = _ADAPTER.validate_python(merged)
        for name in values:
            setattr(self, name, getattr(checked, name))

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


_ADAPTER = TypeAdapter(SimulatorConfig)
