"""`port:` on a service: a fixed port for a service whose `run` has no `{port}`."""

from __future__ import annotations

import pytest

from stormproof.manifest import ManifestError, load_manifest
from tests.manifest.conftest import WriteManifest


def test_a_declared_port_is_read(write_manifest: WriteManifest) -> None:
    path = write_manifest(
        """
        version: 1
        name: shop
        services:
          payments: {run: "python -m payments", port: 8001}
          api: {}
        """
    )
    services = load_manifest(path).services
    assert services["payments"].port == 8001
    assert services["api"].port is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "invalid port of service 'api': input should be greater than 0, got 0"),
        ("65536", "invalid port of service 'api': input should be less than 65536, got 65536"),
        ('"8001"', "invalid port of service 'api': input should be a valid integer, got '8001'"),
    ],
)
def test_a_port_outside_1_to_65535_is_a_load_error(
    write_manifest: WriteManifest, value: str, message: str
) -> None:
    path = write_manifest(f"version: 1\nname: shop\nservices:\n  api:\n    port: {value}\n")
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value) == f"{path}:5:11: {message}"
