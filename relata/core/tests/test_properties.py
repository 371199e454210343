"""Property tests of small pure functions the platform relies on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relata.core.audit import diff, json_value
from relata.core.export import FORMULA_TRIGGERS, safe_cell
from relata.core.services.handover import recipient_for


@given(st.text())
def test_exported_text_never_starts_a_formula_and_keeps_its_content(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)


@given(
    st.dictionaries(st.text(min_size=1), st.integers() | st.text() | st.none()),
    st.dictionaries(st.text(min_size=1), st.integers() | st.text() | st.none()),
)
def test_diff_names_exactly_the_changed_fields(before, after):
    changes = diff(before, after)
    for name in set(before) | set(after):
        if before.get(name) != after.get(name):
            assert changes[name] == [before.get(name), after.get(name)]
        else:
            assert name not in changes


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text() | st.decimals(allow_nan=False),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
)
def test_event_values_are_json_safe(value):
    import json

    json.dumps(json_value(value))


@given(
    st.integers(min_value=1, max_value=10**9), st.lists(st.integers(min_value=1), min_size=1, max_size=8, unique=True)
)
def test_handover_recipient_is_stable_and_one_of_the_chosen(group, recipients):
    chosen = recipient_for(group, recipients)
    assert chosen in recipients
    assert recipient_for(group, list(recipients)) == chosen


@given(st.text() | st.from_regex(r"\A'+[=+\-@].*", fullmatch=True))
def test_csv_neutralisation_is_undone_on_import(text):
    from relata.core.export import restore_cell

    assert restore_cell(safe_cell(text)) == text
