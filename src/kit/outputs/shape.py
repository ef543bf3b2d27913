"""The base of every output model: a key the model does not declare is refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    """A section of a stage output; unknown keys are an error (a misspelt key fails, not a reader later)."""

    model_config = ConfigDict(extra="forbid")
