"""The API's errors: InputError for anything that is not text, ConfigError for unknown names.

A helpdesk integration (and the audit, and a service) must be able to tell a bad
item from a bad configuration, know which item of a batch was bad, and carry on
past it instead of losing the batch.
"""

from __future__ import annotations

import pytest

from tonecheck import ConfigError, InputError, Linter, Report, TonecheckError

HARSH = "Calm down, I'm checking the refund."


@pytest.mark.parametrize(("value", "says"), [
    (None, "got None"),
    (b"Calm down.", "got bytes; decode them first"),
    (42, "got int"),
    (["Calm down."], "got list"),
])
def test_check_of_something_that_is_not_text_is_an_input_error(linter: Linter, value, says):
    with pytest.raises(InputError) as raised:
        linter.check(value)
    assert isinstance(raised.value, TonecheckError)
    assert str(raised.value).startswith("text: not text: ") and says in str(raised.value)
    assert raised.value.index is None


def test_check_many_names_the_bad_items_index_after_the_good_ones(linter: Linter):
    reports = linter.check_many([HARSH, "Thanks!", None, HARSH])
    assert "inflammatory.command" in [f.rule for f in next(reports).findings]
    assert next(reports).findings == []
    with pytest.raises(InputError) as raised:
        next(reports)
    assert raised.value.index == 2
    assert str(raised.value) == "texts[2]: not text: got None; pass the draft as a str (an empty string when there is none)"


@pytest.mark.parametrize("n_process", [1, 2])
def test_check_many_can_report_a_bad_item_and_carry_on(linter: Linter, n_process: int):
    texts = [HARSH, None, b"Calm down.", "Thanks!", HARSH] * 3
    reports = list(linter.check_many(texts, on_error="report", n_process=n_process, batch_size=4))
    assert len(reports) == len(texts)
    for index, (text, report) in enumerate(zip(texts, reports)):
        assert isinstance(report, Report)
        if isinstance(text, str):
            assert report.error is None
            assert bool(report.findings) == (text == HARSH)
        else:
            assert report.error.startswith(f"texts[{index}]: not text: got ") and report.findings == []


def test_unknown_input_format_and_on_error_are_config_errors_raised_at_once(linter: Linter):
    with pytest.raises(ConfigError) as raised:
        linter.check(HARSH, input_format="rtf")
    assert raised.value.field == "input_format"
    assert str(raised.value) == (
        "field `input_format`: unknown input format `rtf`; use one of auto, text, email, markdown, html"
    )
    with pytest.raises(ConfigError):
        linter.check_many([HARSH], input_format="rtf")  # before any iteration
    with pytest.raises(ConfigError, match="use `raise` or `report`"):
        linter.check_many([HARSH], on_error="skip")


def test_a_misspelt_suppression_is_a_config_error(linter: Linter):
    with pytest.raises(ConfigError) as raised:
        linter.check(HARSH, suppressions=["inflamatory"])
    assert raised.value.field == "suppressions"
    assert "`inflamatory` names no rule, rule prefix or category" in str(raised.value)
    with pytest.raises(ConfigError, match="an empty entry would turn off every rule"):
        linter.check(HARSH, suppressions=[""])
    # Correct names still work, alone or as one string.
    assert linter.check(HARSH, suppressions=["inflammatory"]).findings == []
    assert linter.check(HARSH, suppressions="inflammatory.calm-down").findings == []


def test_a_byte_order_mark_left_in_the_text_hides_nothing_and_keeps_offsets(linter: Linter):
    for text in ("\ufeffCalm down, I'm checking the refund.", "\ufeff<p>Calm down, I'm checking the refund.</p>"):
        [finding] = linter.check(text).findings
        assert text[finding.start:finding.end] == finding.match == "Calm down"
        assert finding.start == text.index("Calm")
