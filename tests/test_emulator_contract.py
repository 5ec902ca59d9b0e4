"""The emulator is proven, not assumed: replay Google's recorded answers against it.

``shared/google-sheets-cassettes`` holds gspread's test cassettes: real
traffic with the Sheets v4 and Drive v3 APIs (see their README).  Every
cassette is replayed in order against a fresh-state emulator over HTTP, and
each Sheets API answer is compared with the recorded one: the status code,
and for a success the fields clients read (normalised A1 ranges,
``updatedCells``/``updatedRows``/``updatedColumns``/``updatedRange``,
``values`` present or omitted, ``replies[].addSheet.properties``, sheet
properties, grid data…); for an error its ``error.status``.

What is replayed and what is not (and why):

* Drive ``POST /drive/v3/files`` (create) is *stubbed*: the harness creates
  the spreadsheet in the emulator with the recorded id and title (Google's
  defaults: one ``Sheet1`` tab, id 0, 1000 x 26), so every following Sheets
  call addresses it by its recorded id.  Drive ``copy`` is stubbed the same
  way (a copy of the emulator's spreadsheet under the recorded new id), and
  Drive ``DELETE`` deletes it.  Other Drive calls (file metadata, listing,
  export, comments) are skipped: they are not the Sheets API.
* A CSV import (``PUT /upload/drive/v2/files/...``) replaces a spreadsheet's
  content through Drive, which the emulator does not model: later calls on
  that spreadsheet are skipped ("diverged").
* The precondition of ``test_access_private_spreadsheet`` (a spreadsheet that
  exists but is not shared with the caller) is recreated: before replay,
  every spreadsheet id that is only ever answered 403 is seeded as owned by
  another account.
* Sheet, named-range, chart and metadata ids that Google generated are
  mapped to the emulator's (learned from the first answer that reveals
  them, then rewritten into later requests and compared consistently).
* Operations sheetsync uses (``spreadsheets.get``, ``values.get`` /
  ``batchGet`` / ``update`` / ``batchUpdate`` / ``clear`` / ``batchClear``,
  and ``spreadsheets.batchUpdate`` whose requests are all kinds sheetsync
  sends) must match: any mismatch fails the test.  Other calls (values
  ``append``; batchUpdates with ``mergeCells``, ``sortRange``…) are replayed
  to keep the state in step and their matches are reported; when one is not
  implemented (501) or does not match, the spreadsheet has diverged and its
  later calls are counted as skipped with that reason.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from gsheets_emulator import Emulator
from gsheets_emulator.store import Spreadsheet

SHEETSYNC_OPS = {
    "spreadsheets.get",
    "values.get",
    "values.batchGet",
    "values.update",
    "values.batchUpdate",
    "values.clear",
    "values.batchClear",
    "spreadsheets.batchUpdate",
}
SHEETSYNC_KINDS = {
    "addSheet",
    "deleteSheet",
    "updateSheetProperties",
    "updateCells",
    "repeatCell",
    "addChart",
    "updateDimensionProperties",
    "createDeveloperMetadata",
    "deleteDeveloperMetadata",
}
ID_KEYS = {"sheetId", "namedRangeId", "chartId", "metadataId", "protectedRangeId"}
REPLAYER = "gspread-replay@test-project.iam.gserviceaccount.com"


def cassette_dir() -> Path | None:
    env = os.environ.get("SHEETSYNC_SHEETS_CASSETTES")
    path = (
        Path(env)
        if env
        else Path(__file__).resolve().parents[2] / "shared" / "google-sheets-cassettes"
    )
    return path if path.is_dir() and any(path.glob("*.json")) else None


# --------------------------------------------------------------------------- normalisation


def _spreadsheet_view(doc: dict[str, Any]) -> dict[str, Any]:
    """What clients read of a Spreadsheet: not the theme and default format."""
    out = dict(doc)
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {
            k: v for k, v in props.items() if k not in ("defaultFormat", "spreadsheetTheme")
        }
    sheets = []
    for sheet in out.get("sheets", []) or []:
        sheet = dict(sheet)
        data = sheet.get("data")
        if data is not None:
            sheet["data"] = [_grid_view(g) for g in data]
        sheets.append(sheet)
    if "sheets" in out:
        out["sheets"] = sheets
    return out


def _grid_view(gd: dict[str, Any]) -> dict[str, Any]:
    gd = dict(gd)
    rows = []
    for row in gd.get("rowData", []) or []:
        if "values" in row:
            row = {
                **row,
                "values": [
                    {k: v for k, v in cell.items() if k != "effectiveFormat"}
                    for cell in row["values"]
                ],
            }
        rows.append(row)
    if "rowData" in gd:
        gd["rowData"] = rows
    return gd


def view(op: str, status: int, doc: Any) -> Any:
    """The part of an answer the comparison looks at."""
    if status >= 400:
        return {
            "code": status,
            "status": (doc.get("error") or {}).get("status") if isinstance(doc, dict) else None,
        }
    if not isinstance(doc, dict):
        return doc
    if op == "spreadsheets.get":
        return _spreadsheet_view(doc)
    if op == "spreadsheets.batchUpdate":
        out = {"spreadsheetId": doc.get("spreadsheetId"), "replies": doc.get("replies")}
        if "updatedSpreadsheet" in doc:
            out["updatedSpreadsheet"] = _spreadsheet_view(doc["updatedSpreadsheet"])
        return out
    return doc


class IdMap:
    """Recorded (Google-generated) ids ↔ the emulator's."""

    def __init__(self) -> None:
        self.to_emu: dict[tuple[str, Any], Any] = {}
        self.to_rec: dict[tuple[str, Any], Any] = {}

    def learn(self, key: str, recorded: Any, emulated: Any) -> bool:
        rec = self.to_emu.get((key, recorded))
        if rec is not None:
            return rec == emulated
        if (key, emulated) in self.to_rec:
            return self.to_rec[(key, emulated)] == recorded
        self.to_emu[(key, recorded)] = emulated
        self.to_rec[(key, emulated)] = recorded
        return True

    def rewrite(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self.rewrite(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.rewrite(v, key) for v in value]
        if key in ID_KEYS:
            return self.to_emu.get((key, value), value)
        return value


def same(rec: Any, emu: Any, ids: IdMap, path: str = "", key: str | None = None) -> str | None:
    """None when equal (learning generated ids on the way), else where they differ."""
    if key in ID_KEYS and not isinstance(rec, dict | list):
        return None if ids.learn(key, rec, emu) else f"{path}: id {rec!r} vs {emu!r}"
    if isinstance(rec, dict) and isinstance(emu, dict):
        if set(rec) != set(emu):
            return f"{path}: keys {sorted(set(rec) ^ set(emu))} differ (recorded {sorted(rec)}, emulator {sorted(emu)})"
        for k in rec:
            why = same(rec[k], emu[k], ids, f"{path}.{k}", k)
            if why:
                return why
        return None
    if isinstance(rec, list) and isinstance(emu, list):
        if len(rec) != len(emu):
            return f"{path}: {len(rec)} items vs {len(emu)}"
        for i, (a, b) in enumerate(zip(rec, emu, strict=True)):
            why = same(a, b, ids, f"{path}[{i}]", key)
            if why:
                return why
        return None
    if isinstance(rec, bool) or isinstance(emu, bool):
        return None if rec is emu else f"{path}: {rec!r} vs {emu!r}"
    if isinstance(rec, int | float) and isinstance(emu, int | float):
        return (
            None if abs(rec - emu) <= 1e-9 * max(1.0, abs(rec)) else f"{path}: {rec!r} vs {emu!r}"
        )
    return None if rec == emu else f"{path}: {rec!r} vs {emu!r}"


# --------------------------------------------------------------------------- replay


class Tally:
    def __init__(self) -> None:
        self.matched: Counter[str] = Counter()
        self.mismatched: Counter[str] = Counter()
        self.skipped: Counter[tuple[str, str]] = Counter()
        self.stubbed: Counter[str] = Counter()
        self.failures: list[str] = []
        self.other_failures: list[str] = []


def _kinds(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    return [k for req in body.get("requests", []) or [] for k in req]


def replay_cassette(
    path: Path, emu: Emulator, session: requests.Session, token: str, tally: Tally
) -> None:
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    ids = IdMap()
    diverged: dict[str, str] = {}
    created: set[str] = set()
    # precondition: spreadsheets only ever answered 403 exist but are not ours
    answered: dict[str, set[int]] = defaultdict(set)
    for it in interactions:
        url = urlsplit(it["request"]["uri"])
        if url.netloc == "sheets.googleapis.com":
            _, _, sid, _, _ = _route(emu, it["request"]["method"], url.path)
            if sid:
                answered[sid].add(it["response"]["status"]["code"])
    made_here = {
        json.loads(it["response"]["body"]["string"])["id"]
        for it in interactions
        if it["request"]["method"] == "POST"
        and urlsplit(it["request"]["uri"]).path.startswith("/drive/v3/files")
        and it["response"]["status"]["code"] == 200
        and (it["response"].get("body") or {}).get("string", "").lstrip().startswith("{")
    }
    for sid, codes in answered.items():
        if codes == {403} and sid not in emu.spreadsheets:
            emu.create_spreadsheet("Private", owner="someone-else@example.com", spreadsheet_id=sid)
        elif sid not in made_here and codes != {404}:
            diverged[sid] = "made outside the recording (content unknown)"

    for n, it in enumerate(interactions):
        req, resp = it["request"], it["response"]
        url = urlsplit(req["uri"])
        method = req["method"]
        status = resp["status"]["code"]
        recorded_text = (resp.get("body") or {}).get("string") or ""
        where = f"{path.name}#{n}"
        if url.netloc != "sheets.googleapis.com":
            _drive(emu, method, url, recorded_text, status, diverged, created, tally)
            continue
        op, _, sid, _, _ = _route(emu, method, url.path)
        body = json.loads(req["body"]) if req.get("body") else None
        kinds = _kinds(body) if op == "spreadsheets.batchUpdate" else []
        in_scope = op in SHEETSYNC_OPS and all(k in SHEETSYNC_KINDS for k in kinds)
        label = (
            op
            if op != "spreadsheets.batchUpdate"
            else (
                "spreadsheets.batchUpdate" if in_scope else "spreadsheets.batchUpdate[other kinds]"
            )
        )
        if sid in diverged:
            tally.skipped[(label, diverged[sid])] += 1
            continue
        target = emu.url + url.path + (f"?{url.query}" if url.query else "")
        data = json.dumps(ids.rewrite(body)).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        got = session.request(method, target, data=data, headers=headers, timeout=30)
        try:
            emu_doc = got.json()
        except ValueError:
            emu_doc = got.text
        try:
            rec_doc = json.loads(recorded_text) if recorded_text.strip() else {}
        except ValueError:
            rec_doc = recorded_text
        why = None
        if got.status_code != status:
            why = f"status {status} recorded, {got.status_code} from the emulator: {str(emu_doc)[:300]}"
        else:
            why = same(view(op, status, rec_doc), view(op, got.status_code, emu_doc), ids)
        if why is None:
            tally.matched[label] += 1
            continue
        if in_scope:
            tally.mismatched[label] += 1
            tally.failures.append(
                f"{where} {method} {url.path}?{url.query} body={str(body)[:300]}\n    {why}"
            )
            diverged[sid or ""] = f"after a mismatch at {where}"
        else:
            unimplemented = got.status_code == 501
            reason = (
                f"after unimplemented {', '.join(sorted(set(kinds))) or op}"
                if unimplemented
                else f"after a mismatch in {label}"
            )
            if not unimplemented:
                tally.mismatched[label] += 1
                tally.other_failures.append(f"{where} {method} {url.path}\n    {why}")
            else:
                tally.skipped[(label, "not implemented by the emulator")] += 1
            diverged[sid or ""] = reason


def _route(emu: Emulator, method: str, path: str) -> tuple[str, str, str | None, str | None, bool]:
    try:
        return emu.route(method, path)
    except Exception:
        return "unknown", "", None, None, False


def _drive(
    emu: Emulator,
    method: str,
    url: Any,
    text: str,
    status: int,
    diverged: dict[str, str],
    created: set[str],
    tally: Tally,
) -> None:
    path = url.path
    if url.netloc == "www.googleapis.com" and path == "/drive/v3/files" and method == "POST":
        doc = json.loads(text)
        emu.create_spreadsheet(doc["name"], owner=REPLAYER, spreadsheet_id=doc["id"])
        created.add(doc["id"])
        tally.stubbed["drive.files.create → emulator spreadsheet"] += 1
        return
    if (
        path.startswith("/drive/v3/files/")
        and path.endswith("/copy")
        and method == "POST"
        and status == 200
    ):
        doc = json.loads(text)
        source_id = path.split("/")[4]
        if source_id in emu.spreadsheets:
            copy: Spreadsheet = emu.spreadsheets[source_id].copy()
            copy.id = doc["id"]
            copy.props["title"] = doc.get("name", copy.props["title"])
            copy.owner = REPLAYER
            emu.spreadsheets[doc["id"]] = copy
            tally.stubbed["drive.files.copy → emulator copy"] += 1
        return
    if path.startswith("/drive/v3/files/") and method == "DELETE":
        emu.delete_spreadsheet(path.split("/")[4])
        tally.stubbed["drive.files.delete → emulator delete"] += 1
        return
    if path.startswith("/upload/drive/"):
        sid = path.rstrip("/").split("/")[-1]
        diverged[sid] = "after a Drive CSV import (content not modelled)"
        tally.skipped[("drive upload", "Drive API, not the Sheets API")] += 1
        return
    tally.skipped[(f"drive {method}", "Drive API, not the Sheets API")] += 1


def summary(tally: Tally) -> str:
    ops = sorted(set(tally.matched) | set(tally.mismatched))
    lines = [
        "",
        "Cassette replay against the emulator",
        f"{'operation':45} {'matched':>8} {'mismatched':>10}",
    ]
    for op in ops:
        mark = "" if op in SHEETSYNC_OPS else "  (not used by sheetsync)"
        lines.append(f"{op:45} {tally.matched[op]:8d} {tally.mismatched[op]:10d}{mark}")
    in_scope = sum(v for k, v in tally.matched.items() if k in SHEETSYNC_OPS)
    lines.append(
        f"{'total, operations sheetsync uses':45} {in_scope:8d} {sum(v for k, v in tally.mismatched.items() if k in SHEETSYNC_OPS):10d}"
    )
    lines.append("stubbed: " + ", ".join(f"{k} ×{v}" for k, v in sorted(tally.stubbed.items())))
    lines.append("skipped:")
    for (op, why), v in sorted(tally.skipped.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {v:5d}  {op}: {why}")
    return "\n".join(lines)


def run_replay(folder: Path) -> Tally:
    tally = Tally()
    with Emulator() as emu, requests.Session() as session:
        token = emu.issue_token(REPLAYER)
        for path in sorted(folder.glob("*.json")):
            replay_cassette(path, emu, session, token, tally)
    return tally


def test_emulator_answers_like_google_on_every_recorded_call():
    folder = cassette_dir()
    if folder is None:
        pytest.skip(
            "no recorded Google traffic: set SHEETSYNC_SHEETS_CASSETTES or add ../shared/google-sheets-cassettes"
        )
    tally = run_replay(folder)
    print(summary(tally))
    assert not tally.failures, "emulator differs from Google:\n" + "\n".join(tally.failures[:30])
    assert sum(tally.matched[op] for op in SHEETSYNC_OPS) > 1000
