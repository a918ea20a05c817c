"""The fixtures of ``tests.metrics.serving`` for every test here."""

from tests.metrics.serving import port, scnet

__all__ = ["port", "scnet"]
