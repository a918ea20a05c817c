"""deploy/: compose.yaml against the Compose schema, the kustomize base and overlay against
the Kubernetes schemas (kubernetes-validate, offline), the alert rules (promtool, where
installed), and what each must say for an operator to rely on it."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
KUBE = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.30.0"  # the oldest release still commonly run that we target
WHEELS = REPO / ".venv" / "share" / "scnet-bot-schemas"

Doc = dict[str, Any]


# --- compose -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose_schema() -> Doc:
    """The Compose spec's schema, out of docker-compose's wheel (downloaded once by hash)."""
    wheel = next(WHEELS.glob("docker_compose-*.whl"), None)
    if wheel is None:
        WHEELS.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
        env["PIP_CONFIG_FILE"] = os.devnull
        subprocess.run(  # noqa: S603 - pip, pinned by hash
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "--only-binary=:all:",
                "-r",
                str(REPO / "tests/deploy/compose-schema.txt"),
                "-d",
                str(WHEELS),
            ],
            check=True,
            env=env,
        )
        wheel = next(WHEELS.glob("docker_compose-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        schema: Doc = json.loads(archive.read("compose/config/compose_spec.json"))
    return schema


@pytest.fixture(scope="module")
def compose() -> Doc:
    loaded: Doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_compose_file_matches_the_compose_schema(compose_schema: Doc, compose: Doc) -> None:
    validator = jsonschema.Draft201909Validator(compose_schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors


def test_the_schema_check_catches_a_broken_file(compose_schema: Doc, compose: Doc) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["bot"]["restart"] = ["always"]  # a list where a string belongs
    broken["services"]["bot"]["healthcheck"]["intervall"] = "10s"
    validator = jsonschema.Draft201909Validator(compose_schema)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_compose_migrates_before_serving_keeps_data_and_scales(compose: Doc) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("bot", "bot-2"):
        bot = services[name]
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert bot["restart"] == "unless-stopped"
        assert "/healthz" in " ".join(bot["healthcheck"]["test"])
        assert bot["env_file"] == "compose.env"
        assert "run" not in bot.get("command", [])  # the image's default: scnet-bot run
        assert "SLACK_APP_TOKEN" not in bot["environment"]  # HTTP mode
    assert "profiles" not in services["bot"]
    assert services["bot-2"]["profiles"] == ["scale"]
    assert services["postgres"]["image"].endswith("postgres:15}")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in compose["volumes"]
    # Secrets come from the env file, not from the compose file itself.
    text = (DEPLOY / "compose.yaml").read_text()
    assert "xoxb-" not in text
    assert "ENCRYPTION_KEYS" not in text


# --- kubernetes ----------------------------------------------------------------------------


def _patch(document: Any, operations: list[Doc]) -> Any:
    """JSON Patch (RFC 6902) add / replace / remove: what the overlay uses."""
    for operation in operations:
        *parents, last = [
            part.replace("~1", "/").replace("~0", "~") for part in operation["path"][1:].split("/")
        ]
        target = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) and last != "-" else last
        if operation["op"] == "remove":
            del target[key]
        elif operation["op"] == "add" and isinstance(target, list):
            target.insert(len(target) if key == "-" else key, operation["value"])
        elif operation["op"] in {"add", "replace"}:
            if operation["op"] == "replace":
                assert key in target or isinstance(target, list), operation["path"]
            target[key] = operation["value"]
        else:
            raise AssertionError(f"unsupported patch op {operation['op']}")
    return document


def render(directory: Path) -> list[Doc]:
    """``kubectl kustomize`` for what this repo's kustomizations use: resources (files or
    directories) and JSON 6902 patches by kind and name. Anything else fails loudly."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - {"apiVersion", "kind", "resources", "patches"}
    assert not unknown, f"render() does not know {unknown}"
    documents: list[Doc] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            documents += render(path)
        else:
            documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for patch in kustomization.get("patches", []):
        operations = json.loads((directory / patch["path"]).read_text())
        matches = [
            d
            for d in documents
            if d["kind"] == patch["target"]["kind"]
            and d["metadata"]["name"] == patch["target"]["name"]
        ]
        assert len(matches) == 1, patch
        _patch(matches[0], operations)
    return documents


KUSTOMIZATIONS = {"base": KUBE / "base", "socket-mode": KUBE / "overlays" / "socket-mode"}


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_kustomization_is_valid_against_the_kubernetes_schemas(name: str) -> None:
    documents = render(KUSTOMIZATIONS[name])
    assert {d["kind"] for d in documents} == {
        "Secret",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
    }
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_check_catches_a_wrong_field() -> None:
    (deployment,) = [d for d in render(KUSTOMIZATIONS["base"]) if d["kind"] == "Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = (
        "/healthz"
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_render_agrees_with_kubectl_kustomize(name: str) -> None:
    rendered = subprocess.run(  # noqa: S603
        ["kubectl", "kustomize", str(KUSTOMIZATIONS[name])],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def key(d: Doc) -> str:
        return d["kind"]

    theirs = sorted((d for d in yaml.safe_load_all(rendered) if d), key=key)
    assert theirs == sorted(render(KUSTOMIZATIONS[name]), key=key)


def _container(documents: list[Doc]) -> tuple[Doc, Doc]:
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return deployment, container


def test_the_deployment_is_locked_down_and_probed() -> None:
    documents = render(KUSTOMIZATIONS["base"])
    deployment, container = _container(documents)
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's USER
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]
    assert container["resources"]["limits"]["memory"]
    assert container["envFrom"] == [{"secretRef": {"name": "scnet-bot"}}]
    (secret,) = [d for d in documents if d["kind"] == "Secret"]
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "ENCRYPTION_KEYS", "DATABASE_URL"} <= set(
        secret["stringData"]
    )
    assert "SLACK_APP_TOKEN" not in secret["stringData"]  # HTTP mode
    (budget,) = [d for d in documents if d["kind"] == "PodDisruptionBudget"]
    assert budget["spec"]["selector"] == deployment["spec"]["selector"]


def test_the_socket_mode_overlay_adds_the_app_token() -> None:
    documents = render(KUSTOMIZATIONS["socket-mode"])
    (secret,) = [d for d in documents if d["kind"] == "Secret"]
    assert "SLACK_APP_TOKEN" in secret["stringData"]
    deployment, container = _container(documents)
    assert deployment["spec"]["replicas"] == 2
    assert "lifecycle" not in container  # no Service endpoint to drain from first


# --- prometheus ----------------------------------------------------------------------------

ALERTS = DEPLOY / "prometheus" / "alerts.yml"


def test_alert_rules_are_complete() -> None:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    names = {rule["alert"] for rule in rules}
    assert {"ScnetBotNoLeader", "ScnetBotOutboxStuck", "ScnetBotDown"} <= names
    for rule in rules:
        assert rule["expr"].strip()
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_alert_rules_pass_promtool() -> None:
    checked = subprocess.run(  # noqa: S603
        ["promtool", "check", "rules", str(ALERTS)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
