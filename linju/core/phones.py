"""Mainland China mobile numbers: normalise what people type, mask what others see."""

import re
import unicodedata

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: one spelling per number


def normalise_phone(raw: str) -> str | None:
    """``+86 138-0013-8000`` or full-width digits → ``13800138000``; None if not a mobile."""
    text = unicodedata.normalize("NFKC", raw or "")
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _MOBILE.match(digits) else None


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``; anything shorter is hidden entirely."""
    if len(phone) < 8:
        return "****" if phone else ""
    return f"{phone[:3]}****{phone[-4:]}"
