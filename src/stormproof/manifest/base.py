"""The base of every manifest model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    # Strict, with no unknown keys: YAML already yields native types, so `"5"` where a
    # number belongs is a mistake worth reporting, not coercing.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
