"""Defaults and bounds of the command grammar, in one place that the parser and help text read.

The bounds are sanity limits, not SCNet's: they catch typos (``gpus=80`` for ``gpus=8``) before a
request goes out. SCNet still applies the real per-node limits of the resource group (reference
§5.2) and answers with its own error when a value that passes here does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.domain.instances import TaskType

# Slack caps slash-command text well above what any real command needs; a longer text is junk.
MAX_TEXT_CHARS: Final = 4000
# How much of an offending part a usage error echoes back.
EXCERPT_CHARS: Final = 40


@dataclass(frozen=True, slots=True)
class IntRange:
    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class CreateDefaults:
    """What ``create`` uses for a value the user did not give."""

    task_type: TaskType = "jupyter"
    cpus: int = 4
    ram_mb: int = 16 * 1024
    gpus_accelerated: int = 1  # images for gpu, dcu and mlu
    gpus_cpu_only: int = 0  # images for cpu
    tasks: int = 1
    timeout: timedelta | None = timedelta(hours=4)  # None: unlimited

    def gpus_for(self, accelerator: str) -> int:
        return self.gpus_cpu_only if accelerator.lower() == "cpu" else self.gpus_accelerated


@dataclass(frozen=True, slots=True)
class CreateBounds:
    gpus: IntRange = IntRange(0, 64)
    cpus: IntRange = IntRange(1, 256)
    ram_mb: IntRange = IntRange(512, 2 * 1024 * 1024)  # 512 MB .. 2 TB
    tasks: IntRange = IntRange(1, 32)
    port: IntRange = IntRange(1, 65535)
    min_timeout: timedelta = timedelta(minutes=1)
    max_timeout: timedelta = timedelta(days=30)
    max_ports: int = 10
    max_mounts: int = 10
    name_chars: int = 64
    group_chars: int = 64
    image_chars: int = 256
    path_chars: int = 1024
    description_chars: int = 500
    script_chars: int = 3000


@dataclass(frozen=True, slots=True)
class QuotaBounds:
    gpus: IntRange = IntRange(0, 4096)
    cpus: IntRange = IntRange(0, 65536)
    ram_mb: IntRange = IntRange(0, 64 * 1024 * 1024)  # 64 TB
    instances: IntRange = IntRange(0, 1000)


CREATE_DEFAULTS: Final = CreateDefaults()
CREATE_BOUNDS: Final = CreateBounds()
QUOTA_BOUNDS: Final = QuotaBounds()
AUDIT_ENTRIES: Final = IntRange(1, 100)
AUDIT_DEFAULT: Final = 20
# ``quota digest hours=N``: from how many hours an instance counts as running long (30 days).
DIGEST_HOURS: Final = IntRange(1, 720)
# A name or reference longer than this cannot be one of ours or SCNet's console's.
REF_NAME_CHARS: Final = 128
