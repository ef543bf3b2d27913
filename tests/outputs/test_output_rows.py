"""kit.outputs.synthesis: the bulk rows the stage builds (TypedDicts) say what their models say."""

from __future__ import annotations

from typing import Any, NotRequired, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel

from kit.outputs.synthesis import Note, NoteRow, Quote, QuoteRow, WithheldQuote, WithheldQuoteRow

ROWS = [(NoteRow, Note), (QuoteRow, Quote), (WithheldQuoteRow, WithheldQuote)]


def _row_types(row: type) -> dict[str, Any]:
    """Key -> value type, NotRequired[...] unwrapped."""
    hints = get_type_hints(row, include_extras=True)
    return {k: get_args(t)[0] if get_origin(t) is NotRequired else t for k, t in hints.items()}


@pytest.mark.parametrize(("row", "model"), ROWS, ids=[m.__name__ for _, m in ROWS])
def test_a_row_has_the_models_keys_in_its_order_with_its_types(row: type, model: type[BaseModel]) -> None:
    fields = model.model_fields
    assert list(_row_types(row)) == list(fields)  # same keys, and the order the file lists them in
    assert _row_types(row) == {name: f.annotation for name, f in fields.items()}


@pytest.mark.parametrize(("row", "model"), ROWS, ids=[m.__name__ for _, m in ROWS])
def test_every_key_the_model_requires_is_required_in_the_row(row: Any, model: type[BaseModel]) -> None:
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    assert required <= row.__required_keys__


def test_the_check_notices_a_model_field_the_row_lacks() -> None:
    class Wider(Note):
        seen_by: list[str] = []

    with pytest.raises(AssertionError):
        test_a_row_has_the_models_keys_in_its_order_with_its_types(NoteRow, Wider)
