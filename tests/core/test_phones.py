"""Mainland mobile numbers: however people type them, one stored form; masked, the middle four
digits never show."""

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from linju.core.phones import mask_phone, normalise_phone

E164_MOBILE = re.compile(r"^\+861[3-9][0-9]{9}$")

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
prefixes = st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "＋86 ", "(+86) "])
separators = st.sampled_from(["", " ", "-", ".", "\u3000", "－", "\t"])  # \u3000: CJK space


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@st.composite
def typed_mobiles(draw) -> tuple[str, str]:
    """A mobile number and the way someone typed it: a country code, spaces or dashes between
    any digits, digits from a Chinese input method (full width)."""
    number = draw(mobiles)
    typed = draw(prefixes)
    for digit in number:
        typed += digit + draw(separators)
    if draw(st.booleans()):
        typed = full_width(typed)
    return number, typed


@given(typed_mobiles())
def test_any_way_of_typing_a_mobile_gives_one_e164_form(example):
    number, typed = example
    assert normalise_phone(typed) == f"+86{number}"


@given(mobiles)
def test_a_normalised_number_is_normalised_again_unchanged(number):
    assert normalise_phone(normalise_phone(number)) == f"+86{number}"


@given(st.text(max_size=30))
def test_normalising_arbitrary_text_gives_a_mobile_or_nothing(text):
    result = normalise_phone(text)
    assert result is None or E164_MOBILE.match(result)


@given(mobiles)
def test_mask_never_reveals_the_middle_four_digits(number):
    masked = mask_phone(number)
    assert masked == f"{number[:3]}****{number[-4:]}"
    assert len(masked) == 11
    assert masked[3:7] == "****"


@given(st.text(min_size=1, max_size=7))
def test_mask_hides_short_values_entirely(text):
    assert mask_phone(text) == "****"


@given(typed_mobiles())
def test_mask_of_what_was_typed_after_normalising_hides_the_middle(example):
    number, typed = example
    middle = number[3:7]
    masked = mask_phone(normalise_phone(typed))
    assume(middle not in number[:3] + number[-4:])
    assert middle not in masked


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("138-0013-8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("+8613800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("(138) 0013.8000", "+8613800138000"),
        ("１３８００１３８０００", "+8613800138000"),
        ("  19912345678\n", "+8619912345678"),
        ("", None),
        ("12800138000", None),  # no mobile starts 12
        ("10086", None),
        ("1380013800", None),  # 10 digits
        ("138001380001", None),  # 12 digits
        ("021-62345678", None),  # a Shanghai landline
        ("+1 415 555 0100", None),
        ("138OO138OOO", None),  # letters O for zeros
        ("8613800138000", None),  # a country code needs its + or 00
    ],
)
def test_normalise_examples(typed, expected):
    assert normalise_phone(typed) == expected


def test_normalise_takes_none():
    assert normalise_phone(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613800138000", "138****8000"),
        ("13800138000", "138****8000"),
        ("", ""),
        ("1234567", "****"),
        ("12345678", "123****5678"),
    ],
)
def test_mask_examples(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("typed", ["138٠٠١٣٨٠٠٠", "138০০১৩৮০০০"])  # Arabic-Indic, Bengali
def test_only_ascii_digits_come_out(typed):
    result = normalise_phone(typed)
    assert result is None or E164_MOBILE.match(result)
