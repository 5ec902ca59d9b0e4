"""A loopback Google Sheets v4 emulator for sheetsync's tests.

``Emulator`` serves, over real HTTP on 127.0.0.1, what sheetsync (and the
gspread traffic recorded in ``shared/google-sheets-cassettes``) uses:
spreadsheets.get/create/batchUpdate, the values family, developer metadata
and an OAuth ``/token`` endpoint that verifies service-account JWTs.  Every
request is checked against Google's discovery document; errors come back in
Google's format; faults (429/5xx, slow answers, dropped connections) can be
queued and every request is counted per operation.
"""

from .errors import ApiError
from .server import Emulator, Fault

__all__ = ["ApiError", "Emulator", "Fault"]
