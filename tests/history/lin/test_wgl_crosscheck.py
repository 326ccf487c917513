"""The checker against a plain Wing & Gong search on histories of up to 18 operations and 6
processes: long enough for pending unknown-outcome ops to pile up, which is where the
checker's reductions (absorption, twins, dominance) do their work."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stormproof.history import History
from stormproof.history.lin import MODEL_NAMES, check_linearizable
from tests.history.lin.strategies import histories
from tests.history.lin.wgl import wgl_linearizable


@pytest.mark.parametrize("model", MODEL_NAMES)
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_checker_agrees_with_plain_wgl(model: str, data: st.DataObject) -> None:
    history: History = data.draw(histories(model, max_ops=18, max_processes=6), label="history")
    assert check_linearizable(history, model).valid is wgl_linearizable(history, model)
