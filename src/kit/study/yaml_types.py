"""Pydantic field types for what a hand-edited YAML file means, where it differs from what it parses as.

A key left with nothing under it (``insights:`` with every example commented
out, ``programs:`` before the first program is added) is an empty node, which
YAML resolves to null (YAML 1.2.2, 10.3.2 "Tag Resolution" of the core
schema; PyYAML's resolver does the same). In the kit's files such a key means
"none yet": :data:`NullAsEmptyList` reads it as an empty list, said once in
the field's type rather than by a validator in each model (pydantic's
``BeforeValidator`` inside ``Annotated``:
https://docs.pydantic.dev/latest/concepts/validators/).

The forms (:mod:`kit.forms.editors`) and the JSON schemas see the plain
``list[X]``: pydantic keeps ``Annotated`` metadata out of a field's
``annotation``, and a before-validator leaves the schema of what it wraps as
it is.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator

Item = TypeVar("Item")


def null_as_empty_list(value: Any) -> Any:
    """``[]`` for null (an empty YAML key); any other value unchanged, for the list validation to accept or refuse."""
    return [] if value is None else value


NullAsEmptyList = Annotated[list[Item], BeforeValidator(null_as_empty_list)]
"""``NullAsEmptyList[X]``: a ``list[X]`` field that reads an empty YAML key (null) as ``[]``."""
