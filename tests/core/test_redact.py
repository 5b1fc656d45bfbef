"""Personal data never reaches storage."""

from __future__ import annotations

import pytest

from bot.core.redact import is_valid_nhs_number, redact


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9876543210"])
def test_real_format_nhs_numbers_pass_the_check(number: str) -> None:
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "4010232138", "123456789", "abcdefghij"])
def test_numbers_that_fail_the_check_are_not_nhs_numbers(number: str) -> None:
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize("written", ["9434765919", "943 476 5919", "943-476-5919"])
def test_valid_nhs_numbers_are_removed_however_written(written: str) -> None:
    assert redact(f"patient {written} fell twice") == "patient [NHS number] fell twice"


def test_a_ten_digit_number_failing_the_check_is_left_alone() -> None:
    assert redact("order ref 943 476 5918 from the supplier") == "order ref 943 476 5918 from the supplier"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email jo.bloggs+care@nhs.net now", "email [email] now"),
        ("ring 07700 900123", "ring [phone]"),
        ("ring +44 7700 900123", "ring [phone]"),
        ("ring +44 (0)20 7946 0018", "ring [phone]"),
        ("ring (020) 7946 0018 or 0161 496 0000", "ring [phone] or [phone]"),
        ("we're at SW1A 1AA", "we're at [postcode]"),
        ("home in m1 1ae", "home in [postcode]"),
        ("born 12/03/1956", "born [date]"),
        ("DOB 1956-03-12", "DOB [date]"),
        ("born on 3rd May 1950", "born on [date]"),
        ("born March 5, 1960", "born [date]"),
        ("DOB 12-Mar-1961 ok", "DOB [date] ok"),
        ("born 12 Mar 61", "born [date]"),
        ("born 1961/03/12", "born [date]"),
        ("born 1961.03.12", "born [date]"),
        ("dob 12031961, in care", "dob [date], in care"),
        ("dob 19610312", "dob [date]"),
        ("dob 120361", "dob [date]"),
        ("born 12.3.61", "born [date]"),
        ("born the 12th of March, 1961", "born the [date]"),
    ],
)
def test_personal_details_are_replaced_by_labels(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "do we need DCB0129 and DCB0160 for our class IIa app",
        "we have 2 sites, 1500 staff and started in 2019",
        "is ISO 13485 needed for UKCA",
        "section 251 support for 3 years",
    ],
)
def test_ordinary_questions_are_untouched(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my patient John Smith fell", "my patient [name] fell"),
        ("Mrs Patel asked about it", "Mrs [name] asked about it"),
        ("resident Jane Doe has dementia", "resident [name] has dementia"),
        ("a service user called Tom wants", "a service user called [name] wants"),
        ("Dr. O'Neill said", "Dr. [name] said"),
    ],
)
def test_names_after_a_clear_cue_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "patient safety incidents at NHS trusts",
        "do residents need DBS checks",
        "a patient record system called EMIS",
        "order 12345678 arrived",
        "we raised 250000 in 2024",
    ],
)
def test_cues_and_numbers_without_personal_data_are_untouched(text: str) -> None:
    assert redact(text) == text
