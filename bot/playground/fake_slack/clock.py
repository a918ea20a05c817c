"""The fake's notion of time: any ``Callable[[], float]`` of epoch seconds.

Rate limits, trigger expiry and response_url lifetimes read it, so a test moves time with
``ManualClock.advance`` instead of sleeping. Latency knobs are the only real waits. The manual
clock is the simulator's own, so one clock can drive both fakes in a test.
"""

from __future__ import annotations

from bot.scnet.simulator.clock import Clock, ManualClock

__all__ = ["Clock", "ManualClock"]
