"""Loading valid manifests: values, defaults, normal forms and the lookup helpers."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from stormproof.manifest import (
    MANIFEST_NAME,
    Endpoint,
    ManifestError,
    RetryPolicy,
    SourcePosition,
    default_url_env,
    find_manifest,
    load_manifest,
    parse_endpoint,
    parse_manifest,
)
from stormproof.manifest.chaos import ChaosSection


def test_design_example_with_its_services_declared_loads_as_written(fixtures: Path) -> None:
    system = load_manifest(fixtures / "travel.yaml")

    assert system.version == 1
    assert system.name == "travel"
    assert list(system.services) == ["gateway", "booking", "payments", "flights", "hotels"]
    gateway = system.services["gateway"]
    assert gateway.name == "gateway"
    assert gateway.role == "edge"
    assert gateway.path == "gateway/"
    assert gateway.run == "python -m uvicorn gateway.app:app --port {port}"
    assert gateway.health == "/health"
    assert gateway.env == {"LOG_LEVEL": "info"}
    assert gateway.calls["booking"].env == "BOOKING_URL"
    assert gateway.calls["booking"].service == "booking"
    booking = system.services["booking"]
    assert booking.role == "service"
    assert {t: c.env for t, c in booking.calls.items()} == {
        "payments": "PAYMENTS_URL",
        "flights": "FLIGHTS_URL",
        "hotels": "HOTELS_URL",
    }
    assert [c.service for c in booking.calls.values()] == ["payments", "flights", "hotels"]
    assert booking.owns == ["bookings-db"]
    assert booking.consistency is not None
    assert booking.consistency.choice == "CP"
    assert booking.consistency.reason == "a seat must never be sold twice"
    datastore = system.datastores["bookings-db"]
    assert (datastore.name, datastore.kind, datastore.env) == (
        "bookings-db",
        "sqlite",
        "BOOKINGS_DB",
    )
    saga = system.sagas["book-trip"]
    assert saga.name == "book-trip"
    assert saga.coordinator == "booking"
    assert [(s.service, s.action, s.compensation, s.pivot) for s in saga.steps] == [
        ("payments", "POST /charges", "POST /refunds", False),
        ("flights", "POST /reservations", "DELETE /reservations/{id}", False),
        ("hotels", "POST /reservations", "DELETE /reservations/{id}", False),
    ]
    assert system.policies.retries == RetryPolicy(
        max_attempts=5, backoff="exponential", jitter="required"
    )
    assert system.chaos == ChaosSection()


def test_design_example_verbatim_fails_only_on_the_services_it_leaves_out(fixtures: Path) -> None:
    # DESIGN.md's example calls payments, flights and hotels without declaring them.
    with pytest.raises(ManifestError) as caught:
        load_manifest(fixtures / "design_example.yaml")

    messages = [e.message for e in caught.value.errors]
    assert messages == [
        "service 'booking' calls unknown service 'payments'",
        "service 'booking' calls unknown service 'flights'",
        "service 'booking' calls unknown service 'hotels'",
        "step 1 of saga 'book-trip' names unknown service 'payments'",
        "step 2 of saga 'book-trip' names unknown service 'flights'",
        "step 3 of saga 'book-trip' names unknown service 'hotels'",
    ]


def test_defaults_fill_every_optional_key(write_manifest) -> None:
    system = load_manifest(
        write_manifest(
            """
            version: 1
            services:
              worker:
              api: {}
            """
        )
    )

    assert system.name == system.root.name
    api = system.services["api"]
    assert (api.role, api.path, api.run, api.health) == ("service", "api/", None, "/health")
    assert (api.env, api.calls, api.owns, api.consistency) == ({}, {}, [], None)
    assert system.services["worker"].path == "worker/"
    assert system.datastores == {} and system.sagas == {} and system.chaos == ChaosSection()
    policies = system.policies
    assert [policies.timeouts, policies.circuit_breakers, policies.idempotency] == ["required"] * 3
    assert policies.tracing == "required"
    assert policies.retries == RetryPolicy(max_attempts=5, backoff="exponential", jitter="required")
    check = system.check
    assert (check.select, check.ignore, check.exclude) == ([], [], [])
    assert (check.fail_on, check.per_file_ignores) == (None, {})


def test_sections_left_empty_mean_none() -> None:
    system = parse_manifest(
        "version: 1\nservices:\ndatastores:\nsagas:\npolicies:\nchaos:\ncheck:\n"
    )

    assert (system.services, system.datastores, system.sagas) == ({}, {}, {})
    assert system.chaos == ChaosSection()
    assert system.policies.enabled("timeouts")
    assert system.check.fail_on is None


def test_anchors_and_aliases_are_read() -> None:
    system = parse_manifest(
        """
        version: 1
        services:
          a: {env: &common {LOG_LEVEL: info}}
          b: {env: *common}
        """
    )

    assert system.services["b"].env == {"LOG_LEVEL": "info"}


def test_short_and_long_call_forms_normalise_to_the_same_calls() -> None:
    services = """
    version: 1
    services:
      payments: {}
      seat-map: {}
      gateway:
        calls: %s
    """
    short = parse_manifest(services % "[payments, seat-map]")
    long = parse_manifest(
        services % "{payments: {env: PAYMENTS_URL}, seat-map: {env: SEAT_MAP_URL}}"
    )
    bare = parse_manifest(services % "{payments: , seat-map: {}}")

    for system in (short, long, bare):
        calls = system.services["gateway"].calls
        assert {t: (c.service, c.env) for t, c in calls.items()} == {
            "payments": ("payments", "PAYMENTS_URL"),
            "seat-map": ("seat-map", "SEAT_MAP_URL"),
        }
    assert short.to_json()["services"] == long.to_json()["services"]


def test_long_form_keeps_a_custom_env_var() -> None:
    system = parse_manifest(
        """
        version: 1
        services:
          pay: {}
          api: {calls: {pay: {env: BILLING_BASE}}}
        """
    )

    assert system.services["api"].calls["pay"].env == "BILLING_BASE"
    assert system.service_by_url_env("BILLING_BASE") is system.services["pay"]
    assert system.service_by_url_env("PAY_URL") is None


@pytest.mark.parametrize("name", ["payments", "seat-map", "a1-b2"])
def test_default_url_env(name: str) -> None:
    expected = {"payments": "PAYMENTS_URL", "seat-map": "SEAT_MAP_URL", "a1-b2": "A1_B2_URL"}
    assert default_url_env(name) == expected[name]


def test_yaml_off_and_on_read_as_policy_switches() -> None:
    system = parse_manifest(
        """
        version: 1
        policies:
          timeouts: off
          circuit_breakers: on
          tracing: "off"
          retries: off
        """
    )

    policies = system.policies
    assert policies.timeouts == "off" and policies.tracing == "off" and policies.retries == "off"
    assert policies.circuit_breakers == "required"
    assert not policies.enabled("timeouts")
    assert not policies.enabled("retries")
    assert policies.enabled("circuit_breakers")
    assert policies.enabled("idempotency")


def test_retries_mapping_and_required_forms() -> None:
    custom = parse_manifest(
        "version: 1\npolicies:\n  retries: {max_attempts: 3, backoff: linear, jitter: off}\n"
    )
    required = parse_manifest("version: 1\npolicies:\n  retries: required\n")

    assert custom.policies.retries == RetryPolicy(max_attempts=3, backoff="linear", jitter="off")
    assert custom.policies.enabled("retries")
    assert required.policies.retries == RetryPolicy()


def test_enabled_rejects_an_unknown_policy_name() -> None:
    system = parse_manifest("version: 1\n")
    with pytest.raises(ValueError, match="unknown policy 'timeout'"):
        system.policies.enabled("timeout")


def test_env_values_become_the_strings_a_process_sees() -> None:
    system = parse_manifest(
        "version: 1\nservices:\n  api:\n    env: {WORKERS: 4, DEBUG: true, RATIO: 0.5, MODE: x}\n"
    )

    assert system.services["api"].env == {
        "WORKERS": "4",
        "DEBUG": "true",
        "RATIO": "0.5",
        "MODE": "x",
    }


def test_check_section_is_read() -> None:
    system = parse_manifest(
        """
        version: 1
        check:
          select: [SP1, timeout]
          ignore: [SP601]
          exclude: ["legacy/**"]
          fail_on: error
          per_file_ignores: {"scripts/*.py": [SP101]}
        """
    )

    check = system.check
    assert check.select == ["SP1", "timeout"]
    assert check.ignore == ["SP601"]
    assert check.exclude == ["legacy/**"]
    assert check.fail_on == "error"
    assert check.per_file_ignores == {"scripts/*.py": ["SP101"]}


def test_chaos_section_names_workload_and_scenarios() -> None:
    system = parse_manifest(
        "version: 1\nchaos:\n  workload: {module: w.py, class: W, rate: 10}\n"
        "  settle: 3\n  scenarios:\n    calm:\n    kill:\n      duration: 5\n"
        "      faults: [{at: 1, duration: 2, target: api, fault: kill}]\n"
    )
    chaos = system.chaos
    assert chaos.workload is not None
    assert (chaos.workload.module, chaos.workload.class_, chaos.workload.rate) == ("w.py", "W", 10)
    assert chaos.settle == 3
    assert list(chaos.scenarios) == ["calm", "kill"]
    assert chaos.scenarios["calm"].faults == []
    assert chaos.scenarios["kill"].faults[0].fault == "kill"


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ("chaos:\n  workload: {rate: 10}\n", 3, "missing key 'module' in chaos.workload"),
        ("chaos:\n  anything: 1\n", 3, "unknown key 'anything' in chaos"),
        (
            "chaos:\n  scenarios:\n    s: {generate: {every: [5, 1], faults: {kill: }}}\n",
            4,
            "expected [low, high] with low <= high",
        ),
        (
            "chaos:\n  scenarios:\n    s: {durations: 5}\n",
            4,
            "unknown key 'durations' in chaos.scenarios.s (did you mean 'duration'?)",
        ),
    ],
)
def test_chaos_section_shape_errors_name_their_line(section: str, line: int, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest("version: 1\n" + section)
    assert caught.value.line == line
    assert message in str(caught.value)


def test_findings_for_the_checker_are_not_load_errors() -> None:
    # An edge service owning data, a data owner with no CAP choice and a step with
    # no compensation are check findings (SP801, SP901, SP501), not load errors.
    system = parse_manifest(
        """
        version: 1
        services:
          gateway: {role: edge, owns: [db]}
          pay: {}
        datastores:
          db: {kind: postgres}
        sagas:
          s:
            coordinator: gateway
            steps:
              - {service: pay, action: POST /charges}
              - {service: pay, action: post /captures, pivot: true}
        """
    )

    assert system.services["gateway"].consistency is None
    steps = system.sagas["s"].steps
    assert steps[0].compensation is None and not steps[0].pivot
    assert steps[1].pivot
    assert system.owner_of("db") is system.services["gateway"]


def test_saga_step_endpoint_helpers() -> None:
    system = parse_manifest(
        """
        version: 1
        services: {pay: {}}
        sagas:
          s:
            coordinator: pay
            steps:
              - {service: pay, action: "post /charges", compensation: "DELETE /charges/{id}"}
              - {service: pay, action: "PUT /x", pivot: true}
        """
    )

    first, second = system.sagas["s"].steps
    assert first.action == "POST /charges"
    assert (first.method, first.route) == ("POST", "/charges")
    assert first.endpoint == Endpoint("POST", "/charges")
    assert first.compensation_endpoint == Endpoint("DELETE", "/charges/{id}")
    assert second.compensation_endpoint is None


@pytest.mark.parametrize("text", ["POST", "POST charges", "FETCH /x", "POST /a /b", "/charges"])
def test_parse_endpoint_rejects_what_is_not_method_and_path(text: str) -> None:
    with pytest.raises(ValueError, match="expected 'METHOD /path'"):
        parse_endpoint(text)


def test_position_finds_keys_items_and_short_form_calls(fixtures: Path) -> None:
    system = load_manifest(fixtures / "travel.yaml")

    assert system.position("services", "gateway") == SourcePosition(4, 3)
    assert system.position("services", "gateway", "role") == SourcePosition(5, 5)
    assert system.position("sagas", "book-trip", "steps", 2) == SourcePosition(41, 9)
    # `calls: [payments, flights, hotels]` on line 16: each name answers for its call.
    assert system.position("services", "booking", "calls", "flights") == SourcePosition(16, 23)
    assert system.position("services", "booking", "owns", 0) == SourcePosition(18, 12)
    assert system.position() == SourcePosition(1, 1)
    assert system.position("services", "nobody") is None


def test_paths_and_json(fixtures: Path) -> None:
    system = load_manifest(fixtures / "travel.yaml")

    assert system.path == (fixtures / "travel.yaml").absolute()
    assert system.root == fixtures.absolute()
    data = system.to_json()
    assert data["path"] == str(system.path)
    assert data["services"]["booking"]["calls"]["payments"] == {"env": "PAYMENTS_URL"}
    assert data["policies"]["retries"]["max_attempts"] == 5


def test_a_manifest_survives_pickling_for_worker_processes(fixtures: Path) -> None:
    system = load_manifest(fixtures / "travel.yaml")

    copy = pickle.loads(pickle.dumps(system))

    assert copy == system
    assert copy.path == system.path
    assert copy.services["booking"].name == "booking"
    assert copy.services["booking"].calls["hotels"].service == "hotels"
    assert copy.position("sagas", "book-trip", "steps", 2) == SourcePosition(41, 9)


def test_service_for_path_picks_the_longest_containing_path(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    system = parse_manifest(
        """
        version: 1
        services:
          everything: {path: ./}
          booking: {path: services/booking/}
          payments: {path: services/booking/payments.py}
          gateway: {}
        """,
        path,
    )

    def owner(file: str | Path) -> str | None:
        service = system.service_for_path(Path(file))
        return service.name if service else None

    assert owner("services/booking/app.py") == "booking"
    assert owner(tmp_path / "services/booking/app.py") == "booking"
    assert owner("services/booking/payments.py") == "payments"
    assert owner("services/booking") == "booking"
    assert owner("gateway/app.py") == "gateway"
    assert owner("services/bookings/app.py") == "everything"
    assert owner("tools/x.py") == "everything"


def test_service_for_path_outside_every_service(tmp_path: Path) -> None:
    system = parse_manifest("version: 1\nservices:\n  api: {}\n", tmp_path / MANIFEST_NAME)

    assert system.service_for_path(Path("other/app.py")) is None
    assert system.service_for_path(tmp_path.parent / "api" / "app.py") is None


def test_datastore_lookups(fixtures: Path) -> None:
    system = load_manifest(fixtures / "travel.yaml")

    assert system.datastore_by_env("BOOKINGS_DB") is system.datastores["bookings-db"]
    assert system.datastore_by_env("OTHER_DB") is None
    assert system.owner_of("bookings-db") is system.services["booking"]
    assert system.owner_of("nope") is None
    assert system.service_by_url_env("PAYMENTS_URL") is system.services["payments"]


def test_find_manifest_walks_up_from_a_directory_or_a_file(tmp_path: Path) -> None:
    manifest = tmp_path / MANIFEST_NAME
    manifest.write_text("version: 1\n", encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    source = nested / "app.py"
    source.write_text("", encoding="utf-8")

    assert find_manifest(nested) == manifest
    assert find_manifest(source) == manifest
    assert find_manifest(tmp_path) == manifest
    assert find_manifest(manifest) == manifest


def test_find_manifest_prefers_the_nearest(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("version: 1\n", encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / MANIFEST_NAME).write_text("version: 1\n", encoding="utf-8")

    assert find_manifest(inner / "x.py") == inner / MANIFEST_NAME


def test_find_manifest_returns_none_when_there_is_none(tmp_path: Path) -> None:
    # A directory named like the manifest is not one.
    (tmp_path / MANIFEST_NAME).mkdir()
    assert find_manifest(tmp_path) is None


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nname: bom\n")
    assert load_manifest(path).name == "bom"


def test_manifest_package_imports_nothing_else_from_stormproof() -> None:
    package = Path(__import__("stormproof.manifest").manifest.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                assert not re.match(r"stormproof\.(?!manifest\b)", name), (module.name, name)
