"""The privacy notice's version and the retention periods it states.

Change ``PRIVACY_NOTICE_VERSION`` whenever the notice's content changes: consents record the
version they were given under, so a later reader knows which text a person agreed to.
"""

from __future__ import annotations

import datetime

PRIVACY_NOTICE_VERSION = "2026-11"

# How long the notice says each kind of data is kept (the purge of code rows lives in
# linju.accounts.services; the security log must be kept at least six months under PIPL).
SIGN_IN_CODES_KEPT = datetime.timedelta(days=1)
SECURITY_EVENTS_KEPT = datetime.timedelta(days=180)
