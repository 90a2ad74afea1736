"""Amounts in Chinese capital numerals (大写金额), as receipts and cheques write them.

The rules are those of the People's Bank of China for filling in bills and vouchers
(《正确填写票据和结算凭证的基本规定》):

* digits 零壹贰叁肆伍陆柒捌玖, places 拾佰仟, groups 万 and 亿, then 元角分; a ten is written
  壹拾 (never a bare 拾);
* one 零 stands for one or more zeros between non-zero digits (¥6,007.14 → 陆仟零柒元壹角肆分),
  also across a group boundary (¥100,001 → 壹拾万零壹元整); zeros at the end of the yuan are
  not written (¥1,680.32 → 壹仟陆佰捌拾元叁角贰分: the rules allow 零 there or not, and this
  module never writes it, as in ¥10,050.30 → 壹万零伍拾元叁角整);
* when the jiao are zero and the fen are not, 零 follows 元 (¥325.04 → 叁佰贰拾伍元零肆分);
* 整 ends an amount that stops at 元 or 角; an amount with fen has none; below one yuan the
  amount starts with its jiao or fen (¥0.05 → 伍分); nothing at all is 零元整.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿")
LIMIT = Decimal(10) ** 12  # up to 9,999 亿


def _group(number: int) -> str:
    """1..9999 in capitals, one 零 for any run of zeros between non-zero digits."""
    out: list[str] = []
    zero = False
    for place in (3, 2, 1, 0):
        digit = number // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[digit] + PLACES[place])
    return "".join(out)


def _integer(number: int) -> str:
    groups = [number // 10000**i % 10000 for i in range(len(GROUPS))]
    out = ""
    gap = False
    for index in reversed(range(len(GROUPS))):
        value = groups[index]
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _group(value) + GROUPS[index]
        gap = False
    return out


def capital_amount(amount: Decimal) -> str:
    """``Decimal("10050.30")`` → ``"壹万零伍拾元叁角整"``. Refuses negative amounts, more than
    two decimals and amounts of a trillion yuan or more (ValueError)."""
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError("an amount of money of zero or more is needed")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals (fen)")
    if amount >= LIMIT:
        raise ValueError("too large")
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    out = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    return out + (DIGITS[fen] + "分" if fen else "整")
