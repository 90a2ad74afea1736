"""Six-digit codes derived from a stored nonce and the deployment's secret key.

A code row stores a random nonce, never the code: the code is HMAC-SHA256(SECRET_KEY, nonce)
reduced to six digits. Checking recomputes it and compares in constant time. A copy of the
database alone yields no code (as with storing an HMAC of the code), and the send task needs
only the row's id, so the code is in no table, task payload or log.
"""

from __future__ import annotations

import secrets
import unicodedata

from django.utils.crypto import constant_time_compare, salted_hmac

CODE_DIGITS = 6
_SALT = "linju.accounts.phone_code"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def code_for(nonce: str) -> str:
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    # 64 bits reduced to 10**6: the bias is below one in 10**13.
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def code_matches(nonce: str, typed: str) -> bool:
    return constant_time_compare(code_for(nonce), typed)


def clean_code(raw: str) -> str | None:
    """What a person typed (full-width digits, spaces) → six ASCII digits, or None."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(text.split())
    if len(text) == CODE_DIGITS and text.isascii() and text.isdigit():
        return text
    return None
