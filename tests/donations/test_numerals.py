"""Amounts in Chinese capital numerals, checked against hand-worked examples (the People's Bank
of China's rules for bills) and, for many amounts, by reading the capitals back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linju.donations.numerals import capital_amount

CASES = [
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("0.05", "伍分"),
    ("0.10", "壹角整"),
    ("0.35", "叁角伍分"),
    ("1", "壹元整"),
    ("10.00", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("20", "贰拾元整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1001", "壹仟零壹元整"),
    ("305.70", "叁佰零伍元柒角整"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("10000", "壹万元整"),
    ("10050.30", "壹万零伍拾元叁角整"),
    ("10100", "壹万零壹佰元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("100001", "壹拾万零壹元整"),
    ("100700", "壹拾万零柒佰元整"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1000000.10", "壹佰万元壹角整"),
    ("1000000.01", "壹佰万元零壹分"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "words"), CASES)
def test_hand_worked_examples(amount, words):
    assert capital_amount(Decimal(amount)) == words


@pytest.mark.parametrize("bad", ["-1", "0.001", "1000000000000", "NaN", "Infinity"])
def test_refuses_what_is_not_an_amount_of_money(bad):
    with pytest.raises(ValueError):
        capital_amount(Decimal(bad))


DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
PLACE = {"拾": 10, "佰": 100, "仟": 1000}


def _read_group(text: str) -> int:
    total, digit = 0, 0
    for c in text:
        if c in DIGIT:
            digit = DIGIT[c]
        else:
            total += digit * PLACE[c]
            digit = 0
    return total + digit


def read_back(words: str) -> Decimal:
    """A reader of capital amounts written independently of the module: yuan by 亿 and 万
    groups, then 角 and 分."""
    fen = 0
    words = words.removesuffix("整")
    if "元" in words:
        yuan_text, words = words.split("元")
        yuan = 0
        for unit, size in (("亿", 10**8), ("万", 10**4)):
            if unit in yuan_text:
                head, yuan_text = yuan_text.split(unit)
                yuan += _read_group(head) * size
        yuan += _read_group(yuan_text)
        fen = yuan * 100
    words = words.lstrip("零")
    if "角" in words:
        jiao, words = words.split("角")
        fen += DIGIT[jiao] * 10
    if "分" in words:
        fen += DIGIT[words.removesuffix("分")]
    return Decimal(fen) / 100


@given(st.integers(min_value=0, max_value=10**11 - 1))
def test_reads_back_to_the_same_amount(fen):
    """Every amount's capitals read back to it; no 零 is doubled or left at the start or end
    of the yuan."""
    amount = Decimal(fen) / 100
    words = capital_amount(amount.quantize(Decimal("0.01")))
    assert read_back(words) == amount
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"
    assert "零元" not in words or words == "零元整"
    assert words.endswith("整") != words.endswith("分")
