"""``Client.for_service``: a client wired and configured from ``stormproof.yaml``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from stormproof.kit.client import AsyncClient, Client
from stormproof.kit.client_policy import breaker_for, budget_for
from stormproof.kit.errors import ConfigurationError
from tests.kit import test_client_support as support
from tests.kit.test_client_support import Flavour, Script

flavour = support.flavour
no_backoff = support.no_backoff

ROOT = Path(__file__).resolve().parents[2]


def _manifest(root: Path, policies: str = "") -> Path:
    path = root / "stormproof.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            name: shop
            services:
              booking:
                calls:
                  payments: {env: SHOP_PAYMENTS_URL}
                  flights: {env: SHOP_FLIGHTS_URL}
              payments: {}
              flights: {}
              hotels: {}
            """
        )
        + policies
    )
    return path


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOP_PAYMENTS_URL", "http://payments.test:8000")
    monkeypatch.delenv("SHOP_FLIGHTS_URL", raising=False)
    return _manifest(tmp_path)


def _for_service(flavour: Flavour, target: str = "payments", **kw: Any) -> Client | AsyncClient:
    client = flavour.kind.for_service(target, **kw)
    flavour.clients.append(client)
    return client


def test_the_url_and_policies_come_from_the_manifest(flavour: Flavour, manifest: Path) -> None:
    client = _for_service(flavour, manifest=manifest, caller="booking")
    assert isinstance(client, flavour.kind)
    assert client.target == "payments"
    assert str(client._http.base_url) == "http://payments.test:8000"
    policy = client.policy
    assert policy.attempts == 5  # the manifest's default max_attempts
    assert policy.breaker is breaker_for("payments")
    assert policy.budget is budget_for("payments")
    assert (policy.tracing, policy.idempotency, policy.timeout) == (True, True, 5.0)


def test_the_client_built_works(flavour: Flavour, manifest: Path) -> None:
    script = Script(503, 200)
    client = _for_service(
        flavour,
        manifest=manifest,
        caller="booking",
        transport=httpx.MockTransport(script),
        timeout=1.5,
    )
    assert flavour.call(client, "GET", "/charges/1").status_code == 200
    assert [str(r.url) for r in script.requests] == ["http://payments.test:8000/charges/1"] * 2
    assert script.requests[0].extensions["timeout"]["read"] == 1.5


def test_an_unset_env_var_is_a_configuration_error(flavour: Flavour, manifest: Path) -> None:
    with pytest.raises(ConfigurationError, match="env var SHOP_FLIGHTS_URL is not set"):
        _for_service(flavour, "flights", manifest=manifest, caller="booking")


def test_an_undeclared_call_is_refused(flavour: Flavour, manifest: Path) -> None:
    with pytest.raises(
        ConfigurationError, match="'booking' does not declare a call to 'hotels'"
    ) as raised:
        _for_service(flavour, "hotels", manifest=manifest, caller="booking")
    assert "add 'hotels' under services.booking.calls" in str(raised.value)
    with pytest.raises(ConfigurationError, match="does not declare a call to 'payments'"):
        _for_service(flavour, manifest=manifest, caller="flights")


def test_retries_off_means_one_attempt_and_no_budget(
    flavour: Flavour, manifest: Path, tmp_path: Path
) -> None:
    _manifest(tmp_path, "policies:\n  retries: off\n")
    policy = _for_service(flavour, manifest=manifest, caller="booking").policy
    assert (policy.attempts, policy.budget) == (1, None)


def test_policies_turned_off_turn_the_client_features_off(
    flavour: Flavour, manifest: Path, tmp_path: Path
) -> None:
    _manifest(
        tmp_path,
        textwrap.dedent(
            """\
            policies:
              retries: {max_attempts: 2}
              circuit_breakers: off
              idempotency: off
              tracing: off
            """
        ),
    )
    policy = _for_service(flavour, manifest=manifest, caller="booking").policy
    assert (policy.attempts, policy.breaker, policy.idempotency, policy.tracing) == (
        2,
        None,
        False,
        False,
    )
    assert policy.budget is budget_for("payments")


def test_constructor_options_win_over_the_manifest(flavour: Flavour, manifest: Path) -> None:
    policy = _for_service(
        flavour, manifest=manifest, caller="booking", attempts=2, tracing=False
    ).policy
    assert (policy.attempts, policy.tracing) == (2, False)


def test_the_manifest_is_found_above_the_working_directory(
    flavour: Flavour, manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = manifest.parent / "booking" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert _for_service(flavour, caller="booking").target == "payments"


def test_the_caller_is_the_service_holding_the_calling_module(
    flavour: Flavour, manifest: Path
) -> None:
    module = manifest.parent / "booking" / "app.py"
    module.parent.mkdir()
    module.write_text(
        "from stormproof.kit.client import AsyncClient, Client\n\n"
        "def build(kind, manifest, target):\n"
        "    return kind.for_service(target, manifest=manifest)\n"
    )
    spec = importlib.util.spec_from_file_location("booking_app_under_test", module)
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    client = app.build(flavour.kind, manifest, "payments")
    flavour.clients.append(client)
    assert client.target == "payments"
    with pytest.raises(ConfigurationError, match="'booking' does not declare a call to 'hotels'"):
        app.build(flavour.kind, manifest, "hotels")


def test_a_module_outside_every_service_must_name_its_caller(
    flavour: Flavour, manifest: Path
) -> None:
    with pytest.raises(ConfigurationError, match="cannot tell which service is calling") as e:
        _for_service(flavour, manifest=manifest)
    assert __file__ in str(e.value)


def test_an_unknown_caller_is_a_configuration_error(flavour: Flavour, manifest: Path) -> None:
    with pytest.raises(ConfigurationError, match="caller 'cart' is not a service"):
        _for_service(flavour, manifest=manifest, caller="cart")


def test_a_missing_manifest_is_a_configuration_error(
    flavour: Flavour, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match=r"no stormproof\.yaml in"):
        _for_service(flavour, caller="booking")
    with pytest.raises(ConfigurationError, match="no such file"):
        _for_service(flavour, manifest=tmp_path / "absent.yaml", caller="booking")


def test_a_broken_manifest_is_a_configuration_error(flavour: Flavour, tmp_path: Path) -> None:
    path = tmp_path / "stormproof.yaml"
    path.write_text("version: 1\nservices:\n  booking:\n    calls: [nowhere]\n")
    with pytest.raises(ConfigurationError, match="unknown service 'nowhere'"):
        _for_service(flavour, manifest=path, caller="booking")


def test_too_many_attempts_in_the_manifest_are_refused(
    flavour: Flavour, manifest: Path, tmp_path: Path
) -> None:
    _manifest(tmp_path, "policies:\n  retries: {max_attempts: 50}\n")
    with pytest.raises(ConfigurationError, match="attempts must be from 1"):
        _for_service(flavour, manifest=manifest, caller="booking")


def test_importing_the_client_imports_no_other_part_of_stormproof() -> None:
    code = (
        "import sys, stormproof.kit.client\n"
        "others = sorted(m for m in sys.modules if m.startswith('stormproof.')"
        " and not m.startswith('stormproof.kit'))\n"
        "assert not others, others\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
