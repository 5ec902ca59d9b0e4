"""Google's error model: ``{"error": {"code", "message", "status", "details"}}``."""

from __future__ import annotations

from typing import Any

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "Deadline exceeded.",
}


class ApiError(Exception):
    """An error answer, rendered in Google's JSON error format."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, "Error")
        self.status = status or STATUS.get(code, "UNKNOWN")
        self.details = details
        self.errors = errors
        super().__init__(f"{code} {self.status}: {self.message}")

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            err["errors"] = self.errors
        err["status"] = self.status
        if self.details:
            err["details"] = self.details
        return {"error": err}


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


# --------------------------------------------------------------------------- Google's limits

#: The largest request body Google takes (not documented; the answer below is
#: what Google sends, as public issue threads have recorded it since 2018).
MAX_BODY = 10_485_760
#: Cells in a spreadsheet: every tab's grid, rows x columns, empty cells too.
MAX_CELLS = 10_000_000
#: Characters in one cell.
MAX_CELL_CHARS = 50_000
#: Columns in one tab (column ZZZ).
MAX_COLUMNS = 18_278


def too_large() -> ApiError:
    """Google's answer to a body over :data:`MAX_BODY` bytes, word for word."""
    message = f"Request payload size exceeds the limit: {MAX_BODY} bytes."
    return ApiError(
        400,
        message,
        errors=[{"message": message, "domain": "global", "reason": "badRequest"}],
    )


def cell_too_long(where: str) -> ApiError:
    """Google's answer to a cell over :data:`MAX_CELL_CHARS` characters."""
    return invalid(
        f"Invalid {where}: Your input contains more than the maximum of "
        f"{MAX_CELL_CHARS} characters in a single cell."
    )


def too_many_cells(where: str) -> ApiError:
    return invalid(
        f"Invalid {where}: This action would increase the number of cells in the workbook "
        f"above the limit of {MAX_CELLS} cells."
    )


def too_many_columns(where: str) -> ApiError:
    # the same wording as the cell limit's (Google's own for columns is not on record here)
    return invalid(
        f"Invalid {where}: This action would increase the number of columns in the sheet "
        f"above the limit of {MAX_COLUMNS} columns."
    )
