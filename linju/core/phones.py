"""Mainland China mobile numbers: normalise what people type, mask what others see.

Numbers are stored in E.164 (``+8613800138000``). The rule is the shape of a mainland mobile
(1[3-9] and nine digits), not libphonenumber's table of allocated ranges: that table lags new
ranges, and it rejects the demo's unissued 1749 block, which is the point of that block.
"""

import re
import unicodedata

_TYPED = re.compile(r"^[0-9+\-().\s]{7,40}$")  # what a person types: no letters ("vanity")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_phone(raw: str) -> str | None:
    """``+86 138-0013-8000``, ``138 0013 8000`` or full-width digits → ``+8613800138000``;
    None if it is not a mainland mobile number."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not _TYPED.match(text) or not text.isascii():
        return None
    digits = re.sub(r"[^0-9+]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return f"+86{digits}" if _MOBILE.match(digits) else None


def national(phone: str) -> str:
    """``+8613800138000`` → ``13800138000``, the way residents write it."""
    return phone[3:] if phone.startswith("+86") else phone


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``138****8000``; anything shorter is hidden entirely."""
    digits = national(phone)
    if len(digits) < 8:
        return "****" if digits else ""
    return f"{digits[:3]}****{digits[-4:]}"
