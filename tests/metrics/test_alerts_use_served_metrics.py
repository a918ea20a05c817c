"""deploy/prometheus/alerts.yml alerts only on metrics that GET /metrics serves."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.metrics import CadenceSnapshot, Metrics, WatcherSnapshot

ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


def test_every_metric_an_alert_names_is_served() -> None:
    metrics = Metrics()
    metrics.http_requests.labels("/slack/events", "200").inc()
    metrics.observe_command("help", "ok")
    metrics.observe_scnet("GET", "instance-service/task", "ok", 0.1)
    metrics.observe_renewal("renewed")
    metrics.observe_ack("command", "http", 0.01)
    metrics.watcher.watcher = WatcherSnapshot(True, 0, 0, 0, 0, 0, 0.0)
    metrics.watcher.cadence = CadenceSnapshot(0, 0, 2.0, 0.0, 1.0, 0)
    served = {
        line.split("{")[0].split(" ")[0]
        for line in metrics.render().splitlines()
        if not line.startswith("#")
    }
    rules = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
    named = {name for rule in rules for name in re.findall(r"scnet_bot_\w+", rule["expr"])}
    assert named <= served
    alerts = {rule["alert"]: rule["expr"] for rule in rules}
    assert "scnet_bot_scnet_requests_total" in alerts["ScnetBotScnetErrors"]
    assert "scnet_bot_token_renewals_total" in alerts["ScnetBotRenewalsFailing"]
