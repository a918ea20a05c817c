"""The simulator's bill: an account's balance falls with its instances' running time.

SCNet charges the account for what its instances hold while they run; the simulator does the
same at ``Prices`` of its own (per GPU card-hour, CPU core-hour and GB-hour of memory), so a
demo shows the bot's low-balance DM and its cost *estimates* (made from the admin's rates,
which need not match these) beside a balance that really moves. Lazily, like everything
here: ``balance`` computes the charge from the clock when asked, and a deleted instance's
charge is kept (``InstanceStore.retired_seconds``) so deleting one never refunds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from bot.scnet.simulator.lifecycle import Instance


@dataclass(frozen=True, slots=True)
class Usage:
    """Resource-seconds run: cards, cores and MB, each times the seconds they ran."""

    gpu_seconds: float = 0.0
    cpu_seconds: float = 0.0
    ram_mb_seconds: float = 0.0

    def plus(self, other: Usage) -> Usage:
        return Usage(
            self.gpu_seconds + other.gpu_seconds,
            self.cpu_seconds + other.cpu_seconds,
            self.ram_mb_seconds + other.ram_mb_seconds,
        )


@dataclass(frozen=True, slots=True)
class Prices:
    """CNY per GPU card-hour, per CPU core-hour and per GB-hour of memory."""

    gpu: Decimal = Decimal("2.50")
    cpu: Decimal = Decimal("0.05")
    ram: Decimal = Decimal("0.01")

    def charge(self, usage: Usage) -> Decimal:
        hours = Decimal(3600)
        total = (
            Decimal(repr(usage.gpu_seconds)) * self.gpu
            + Decimal(repr(usage.cpu_seconds)) * self.cpu
            + Decimal(repr(usage.ram_mb_seconds)) / 1024 * self.ram
        ) / hours
        return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


DEFAULT_PRICES: Final = Prices()
# The demo's: a running instance of the defaults (4 cores, 16 GB) costs about 7 CNY a minute,
# so a balance just above the low-balance floor crosses it within a few minutes of the demo.
DEMO_PRICES: Final = Prices(gpu=Decimal(600), cpu=Decimal(60), ram=Decimal(10))


def usage_of(instance: Instance, now: float) -> Usage:
    seconds = instance.seconds_run(now)
    spec = instance.spec
    tasks = max(1, spec.task_number)
    return Usage(
        gpu_seconds=seconds * spec.accelerators * tasks,
        cpu_seconds=seconds * spec.cpus * tasks,
        ram_mb_seconds=seconds * spec.ram_mb * tasks,
    )


def total_usage(instances: Iterable[Instance], now: float, retired: Usage) -> Usage:
    total = retired
    for instance in instances:
        total = total.plus(usage_of(instance, now))
    return total


def balance(opening: str, charge: Decimal) -> str:
    """The balance SCNet's ``accountBalance`` shows: a decimal string, to the fen."""
    return str((Decimal(opening) - charge).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
