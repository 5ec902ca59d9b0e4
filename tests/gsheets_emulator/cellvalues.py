"""Cell values as Google stores, computes and renders them (the en_US subset clients use).

* Input: ``RAW`` stores strings as strings; ``USER_ENTERED`` parses what a
  person would type (numbers, ``12%``, ``2,000,000.01``, ISO and US dates,
  ``TRUE``, formulas, a leading ``'`` forcing text) and remembers the number
  format it implies, as Sheets does.
* Formulas: arithmetic over numbers and cell references (``=4/2``,
  ``= 1 / 1024``, ``=A1+1``); anything else is ``#NAME?``.
* Output: ``UNFORMATTED_VALUE`` (numbers as numbers; date cells as serials or
  formatted strings per ``dateTimeRenderOption``), ``FORMATTED_VALUE``
  (the displayed text) and ``FORMULA``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

EPOCH = dt.datetime(1899, 12, 30)

_INT = re.compile(r"^[+-]?\d+$")
_DEC = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$")
_PERCENT = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))%$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def serial_of(moment: dt.datetime) -> float:
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def datetime_of(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=serial)


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


def parse_input(value: Any, option: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A value from a ValueRange → (userEnteredValue or None to clear, implied numberFormat)."""
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, int | float):
        return {"numberValue": value}, None
    if not isinstance(value, str):
        return {"stringValue": str(value)}, None
    if value == "":
        return None, None
    if option == "RAW":
        return {"stringValue": value}, None
    text = value
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    t = text.strip()
    if t.upper() in ("TRUE", "FALSE"):
        return {"boolValue": t.upper() == "TRUE"}, None
    if _INT.match(t) or _DEC.match(t):
        fmt = {"type": "SCIENTIFIC", "pattern": "0.00E+00"} if "e" in t.lower() else None
        return {"numberValue": _num(float(t))}, fmt
    m = _THOUSANDS.match(t)
    if m:
        number = float(
            m.group(1) + m.group(2).replace(",", "") + ("." + m.group(3) if m.group(3) else "")
        )
        pattern = "#,##0" + ("." + "0" * len(m.group(3)) if m.group(3) else "")
        return {"numberValue": _num(number)}, {"type": "NUMBER", "pattern": pattern}
    m = _PERCENT.match(t)
    if m:
        number = float(m.group(1)) / 100
        decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
        pattern = "0" + ("." + "0" * decimals if decimals else "") + "%"
        return {"numberValue": _num(number)}, {"type": "PERCENT", "pattern": pattern}
    try:
        m = _ISO_DATE.match(t)
        if m:
            d = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return {"numberValue": _num(serial_of(d))}, {"type": "DATE", "pattern": "yyyy-mm-dd"}
        m = _ISO_DATETIME.match(t)
        if m:
            d = dt.datetime(
                int(m.group(1)),
                int(m.group(2)),
                int(m.group(3)),
                int(m.group(4)),
                int(m.group(5)),
                int(m.group(6) or 0),
            )
            return {"numberValue": _num(serial_of(d))}, {
                "type": "DATE_TIME",
                "pattern": "yyyy-mm-dd h:mm:ss",
            }
        m = _US_DATE.match(t)
        if m:
            d = dt.datetime(int(m.group(3)), int(m.group(1)), int(m.group(2)))
            return {"numberValue": _num(serial_of(d))}, {"type": "DATE", "pattern": "M/d/yyyy"}
        m = _TIME.match(t)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            secs = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
            return {"numberValue": _num(secs / 86400)}, {"type": "TIME", "pattern": "h:mm:ss am/pm"}
    except ValueError:
        pass
    return {"stringValue": text}, None


# --------------------------------------------------------------------------- formulas

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|(\$?[A-Za-z]{1,3}\$?\d+)|(.))")


class FormulaError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def evaluate(formula: str, lookup: Callable[[int, int], Any]) -> Any:
    """``=1+2*A1`` → 3.0 (or a FormulaError carrying ``#DIV/0!`` / ``#NAME?``)."""
    text = formula[1:]
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            tokens.append(("num", float(m.group(1))))
        elif m.group(2):
            ref = m.group(2).replace("$", "")
            letters = re.match(r"[A-Za-z]+", ref).group(0)  # type: ignore[union-attr]
            col = 0
            for ch in letters.upper():
                col = col * 26 + ord(ch) - 64
            tokens.append(("ref", (int(ref[len(letters) :]) - 1, col - 1)))
        elif m.group(3) and not m.group(3).isspace():
            tokens.append(("op", m.group(3)))
    i = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[i] if i < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal i
        tok = tokens[i]
        i += 1
        return tok

    def atom() -> float:
        tok = peek()
        if tok is None:
            raise FormulaError("#ERROR!")
        kind, val = take()
        if kind == "num":
            return val
        if kind == "ref":
            v = lookup(*val)
            if v is None or v == "":
                return 0.0
            if isinstance(v, bool):
                return float(v)
            if isinstance(v, int | float):
                return float(v)
            raise FormulaError("#VALUE!")
        if val == "(":
            v = expr()
            if take() != ("op", ")"):
                raise FormulaError("#ERROR!")
            return v
        if val == "-":
            return -atom()
        if val == "+":
            return atom()
        raise FormulaError("#NAME?" if str(val).isalpha() else "#ERROR!")

    def power() -> float:
        v = atom()
        while peek() == ("op", "^"):
            take()
            v = v ** atom()
        return v

    def term() -> float:
        v = power()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            rhs = power()
            if op == "*":
                v *= rhs
            else:
                if rhs == 0:
                    raise FormulaError("#DIV/0!")
                v /= rhs
        return v

    def expr() -> float:
        v = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            rhs = term()
            v = v + rhs if op == "+" else v - rhs
        return v

    if any(k == "op" and str(v).isalpha() for k, v in tokens) or pos < len(text):
        raise FormulaError("#NAME?")
    result = expr()
    if i != len(tokens):
        raise FormulaError("#ERROR!")
    return result


# --------------------------------------------------------------------------- rendering


def effective(uev: dict[str, Any] | None, lookup: Callable[[int, int], Any]) -> Any:
    """The computed value: number, str, bool, an error code wrapped in ``ErrorValue``, or None."""
    if not uev:
        return None
    if "formulaValue" in uev:
        try:
            return _num(evaluate(uev["formulaValue"], lookup))
        except FormulaError as exc:
            return ErrorValue(exc.code)
        except RecursionError:
            return ErrorValue("#REF!")
    for key in ("numberValue", "stringValue", "boolValue"):
        if key in uev:
            v = uev[key]
            return _num(v) if key == "numberValue" else v
    if "errorValue" in uev:
        return ErrorValue("#ERROR!")
    return None


class ErrorValue(str):
    """An error result (``#DIV/0!``); rendered as its code."""


def effective_json(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, ErrorValue):
        return {
            "errorValue": {"type": _ERROR_TYPES.get(str(value), "ERROR"), "message": str(value)}
        }
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


_ERROR_TYPES = {
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#NAME?": "NAME",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#ERROR!": "ERROR",
}


def is_datelike(numfmt: dict[str, Any] | None) -> bool:
    return bool(numfmt) and numfmt.get("type") in ("DATE", "TIME", "DATE_TIME")


def render(
    value: Any,
    numfmt: dict[str, Any] | None,
    option: str,
    dt_option: str,
    formula: str | None = None,
) -> Any:
    """One cell's value as ``values.get`` returns it (None: empty)."""
    if value is None:
        return None if formula is None or option != "FORMULA" else formula
    if option == "FORMULA" and formula is not None:
        return formula
    if option == "FORMATTED_VALUE":
        return formatted(value, numfmt)
    if isinstance(value, ErrorValue):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if is_datelike(numfmt) and dt_option == "FORMATTED_STRING":
            return formatted(value, numfmt)
        return _num(value)
    return value


def formatted(value: Any, numfmt: dict[str, Any] | None) -> str:
    """What the cell displays."""
    if isinstance(value, ErrorValue):
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    pattern = (numfmt or {}).get("pattern") or ""
    kind = (numfmt or {}).get("type")
    if kind in ("DATE", "TIME", "DATE_TIME") or (
        pattern and re.search(r"[yd]|h+:|:s", pattern, re.I)
    ):
        if not pattern:
            pattern = {
                "DATE": "M/d/yyyy",
                "TIME": "h:mm:ss am/pm",
                "DATE_TIME": "M/d/yyyy H:mm:ss",
            }[kind or "DATE"]
        return _format_date(float(value), pattern)
    if pattern:
        return _format_number(float(value), pattern)
    if kind == "PERCENT":
        return _format_number(float(value), "0.00%")
    return auto_number(float(value))


def auto_number(v: float) -> str:
    """Google's automatic number display: integers plain, up to 10 decimals."""
    if not math.isfinite(v):
        return "#NUM!"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 1e15 or (abs(v) < 1e-10 and v != 0):
        mant, exp = f"{v:.2E}".split("E")
        return f"{mant}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    text = f"{v:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _format_number(v: float, pattern: str) -> str:
    section = pattern.split(";")[0]
    prefix, core, suffix = "", section, ""
    m = re.match(r'^((?:"[^"]*"|\\.|\[\$[^\]]*\]|[^0#,.%?])*)([0#,.?]+)(.*)$', section)
    if m:
        prefix, core, suffix = m.group(1), m.group(2), m.group(3)
    percent = "%" in suffix or "%" in prefix
    if percent:
        v *= 100
    decimals = len(core.split(".")[1]) if "." in core else 0
    grouped = "," in core.split(".")[0]
    text = f"{abs(v):,.{decimals}f}" if grouped else f"{abs(v):.{decimals}f}"
    if v < 0 and float(text.replace(",", "")) != 0:
        text = "-" + text

    def lit(s: str) -> str:
        s = re.sub(r"\[\$([^\]-]*)(?:-[^\]]*)?\]", r"\1", s)
        s = re.sub(r'"([^"]*)"', r"\1", s)
        return re.sub(r"\\(.)", r"\1", s)

    return lit(prefix) + text + lit(suffix)


def _format_date(serial: float, pattern: str) -> str:
    moment = datetime_of(serial)
    moment = (moment + dt.timedelta(microseconds=500)).replace(microsecond=0)
    out = []
    i = 0
    p = pattern
    ampm = re.search(r"am/pm|a/p", p, re.I) is not None
    last_was_hour = False
    while i < len(p):
        rest = p[i:]
        low = rest.lower()
        if low.startswith("am/pm"):
            out.append("AM" if moment.hour < 12 else "PM")
            i += 5
            continue
        if low.startswith("yyyy"):
            out.append(f"{moment.year:04d}")
            i += 4
            continue
        if low.startswith("yy"):
            out.append(f"{moment.year % 100:02d}")
            i += 2
            continue
        if low.startswith("dd"):
            out.append(f"{moment.day:02d}")
            i += 2
            continue
        if low.startswith("d"):
            out.append(str(moment.day))
            i += 1
            continue
        if low.startswith("hh") or low.startswith("h"):
            n = 2 if low.startswith("hh") else 1
            hour = moment.hour
            if ampm:
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if n == 2 else str(hour))
            i += n
            last_was_hour = True
            continue
        if low.startswith("ss") or low.startswith("s"):
            n = 2 if low.startswith("ss") else 1
            out.append(f"{moment.second:02d}" if n == 2 else str(moment.second))
            i += n
            continue
        if low.startswith("m"):
            n = 2 if low.startswith("mm") else 1
            minute = last_was_hour or re.match(r"m+:s", low) is not None
            val = moment.minute if minute else moment.month
            out.append(f"{val:02d}" if n == 2 else str(val))
            i += n
            last_was_hour = False
            continue
        ch = p[i]
        if ch == '"':
            j = p.find('"', i + 1)
            out.append(p[i + 1 : j if j > 0 else len(p)])
            i = (j + 1) if j > 0 else len(p)
            continue
        if ch == "\\" and i + 1 < len(p):
            out.append(p[i + 1])
            i += 2
            continue
        out.append(ch)
        if ch not in ": ":
            last_was_hour = False
        i += 1
    return "".join(out)
