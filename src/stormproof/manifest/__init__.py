"""The system model: services, calls, datastores, sagas, policies and CAP choices.

The lowest layer of stormproof: it imports nothing else from the package.
"""

from stormproof.manifest.errors import ManifestError, SourcePosition
from stormproof.manifest.load import find_manifest, load_manifest, parse_manifest
from stormproof.manifest.model import (
    MANIFEST_NAME,
    Call,
    CheckSection,
    Consistency,
    Datastore,
    Endpoint,
    Manifest,
    Policies,
    RetryPolicy,
    Saga,
    SagaStep,
    Service,
    default_url_env,
    parse_endpoint,
)

__all__ = [
    "MANIFEST_NAME",
    "Call",
    "CheckSection",
    "Consistency",
    "Datastore",
    "Endpoint",
    "Manifest",
    "ManifestError",
    "Policies",
    "RetryPolicy",
    "Saga",
    "SagaStep",
    "Service",
    "SourcePosition",
    "default_url_env",
    "find_manifest",
    "load_manifest",
    "parse_endpoint",
    "parse_manifest",
]
