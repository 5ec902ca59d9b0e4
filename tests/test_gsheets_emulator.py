"""The emulator's own guarantees: Google's schema and error format, atomic batches,
real JWT checks, faults and counters (the contract test proves the answers)."""

from __future__ import annotations

import json

import pytest
import requests
from gsheets_emulator import Emulator


@pytest.fixture
def emu():
    with Emulator() as e:
        yield e


@pytest.fixture
def api(emu):
    token = emu.issue_token("me@example.com")
    sid = emu.create_spreadsheet(
        "T", owner="me@example.com", tabs={"Deals": [["Deal", "Amount"], ["A", 10]]}
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    base = f"{emu.url}/v4/spreadsheets/{sid}"
    yield emu, session, base, sid
    session.close()


def test_unknown_fields_are_refused_like_google(api):
    emu, s, base, _ = api
    r = s.post(
        f"{base}:batchUpdate",
        json={"requests": [{"addSheet": {"properties": {"title": "X", "colour": 1}}}]},
    )
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT" and err["code"] == 400
    assert err["message"] == (
        "Invalid JSON payload received. Unknown name \"colour\" at 'requests[0].add_sheet.properties': Cannot find field."
    )
    assert err["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert err["details"][0]["fieldViolations"][0]["field"] == "requests[0].add_sheet.properties"


@pytest.mark.parametrize(
    "body, where",
    [
        (
            {"requests": [{"addSheet": {"properties": {"sheetId": "abc"}}}]},
            "requests[0].add_sheet.properties.sheet_id",
        ),
        (
            {"requests": [{"addSheet": {"properties": {"hidden": "yes"}}}]},
            "requests[0].add_sheet.properties.hidden",
        ),
        (
            {"requests": [{"addSheet": {"properties": {"sheetType": "TABLE"}}}]},
            "requests[0].add_sheet.properties.sheet_type",
        ),
        ({"requests": "addSheet"}, "requests"),
    ],
)
def test_wrong_types_and_enums_are_refused(api, body, where):
    _, s, base, _ = api
    r = s.post(f"{base}:batchUpdate", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(f"Invalid value at '{where}'")


def test_values_must_be_a_list_of_lists(api):
    _, s, base, _ = api
    r = s.put(f"{base}/values/Deals!A1", params={"valueInputOption": "RAW"}, json={"values": "X"})
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )


def test_unknown_query_parameters_are_refused(api):
    _, s, base, _ = api
    r = s.get(
        f"{base}/values:batchGet", params={"ranges": "Deals", "valueRenderOptions": "FORMULA"}
    )
    assert r.status_code == 400
    assert 'Unknown name "valueRenderOptions"' in r.json()["error"]["message"]
    r = s.get(f"{base}/values:batchGet", params={"ranges": "Deals", "valueRenderOption": "RAW"})
    assert r.status_code == 400


def test_a_batch_update_is_all_or_nothing(api):
    emu, s, base, sid = api
    before = emu.snapshot(sid)
    r = s.post(
        f"{base}:batchUpdate",
        json={
            "requests": [
                {"addSheet": {"properties": {"title": "New"}}},
                {
                    "updateCells": {
                        "start": {"sheetId": 0},
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                        "fields": "userEnteredValue",
                    }
                },
                {"deleteSheet": {"sheetId": 424242}},
            ]
        },
    )
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"] == "Invalid requests[2].deleteSheet: No sheet with id: 424242"
    )
    assert emu.snapshot(sid) == before


def test_add_sheet_with_an_existing_title_fails(api):
    _, s, base, _ = api
    r = s.post(
        f"{base}:batchUpdate", json={"requests": [{"addSheet": {"properties": {"title": "deals"}}}]}
    )
    assert r.status_code == 400
    assert "already exists" in r.json()["error"]["message"]


def test_values_read_back_typed_and_trimmed(api):
    _, s, base, _ = api
    r = s.get(f"{base}/values/Deals", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert r.json() == {
        "range": "Deals!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["Deal", "Amount"], ["A", 10]],
    }
    r = s.get(f"{base}/values/Deals!C5:D9")
    assert r.json() == {"range": "Deals!C5:D9", "majorDimension": "ROWS"}  # no "values" at all


def test_raw_text_starting_with_equals_stays_text_user_entered_is_a_formula(api):
    emu, s, base, sid = api
    s.put(
        f"{base}/values/Deals!C1", params={"valueInputOption": "RAW"}, json={"values": [["=1+1"]]}
    )
    s.put(
        f"{base}/values/Deals!D1",
        params={"valueInputOption": "USER_ENTERED"},
        json={"values": [["=1+1"]]},
    )
    r = s.get(f"{base}/values/Deals!C1:D1", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert r.json()["values"] == [["=1+1", 2]]


def test_developer_metadata_is_created_found_and_deleted_with_its_sheet(api):
    emu, s, base, sid = api
    r = s.post(
        f"{base}:batchUpdate",
        json={
            "requests": [
                {"addSheet": {"properties": {"sheetId": 77, "title": "Owned"}}},
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "k",
                            "metadataValue": "v",
                            "location": {"sheetId": 77},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
            ]
        },
    )
    assert r.status_code == 200
    md = r.json()["replies"][1]["createDeveloperMetadata"]["developerMetadata"]
    assert md["location"] == {"locationType": "SHEET", "sheetId": 77}
    r = s.post(
        f"{base}/developerMetadata:search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "k"}}]},
    )
    assert r.json()["matchedDeveloperMetadata"][0]["developerMetadata"]["metadataValue"] == "v"
    got = s.get(base, params={"fields": "sheets(properties(title),developerMetadata)"}).json()
    assert got["sheets"][1] == {"properties": {"title": "Owned"}, "developerMetadata": [md]}
    s.post(f"{base}:batchUpdate", json={"requests": [{"deleteSheet": {"sheetId": 77}}]})
    assert emu.metadata(sid) == []


def test_spreadsheet_metadata_with_a_fixed_id_is_updated_got_and_exists_once(api):
    emu, s, base, sid = api
    create = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": 4242,
                "metadataKey": "sheetsync.lease",
                "metadataValue": "a",
                "location": {"spreadsheet": True},
                "visibility": "DOCUMENT",
            }
        }
    }
    assert s.post(f"{base}:batchUpdate", json={"requests": [create]}).status_code == 200
    again = s.post(f"{base}:batchUpdate", json={"requests": [create]})
    assert again.status_code == 400 and "already exists" in again.json()["error"]["message"]
    lookup = {"developerMetadataLookup": {"metadataId": 4242, "metadataValue": "a"}}
    update = {
        "updateDeveloperMetadata": {
            "dataFilters": [lookup],
            "developerMetadata": {"metadataValue": "b"},
            "fields": "metadataValue",
        }
    }
    r = s.post(f"{base}:batchUpdate", json={"requests": [update]})
    (md,) = r.json()["replies"][0]["updateDeveloperMetadata"]["developerMetadata"]
    assert md["metadataValue"] == "b"
    assert md["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    assert s.get(f"{base}/developerMetadata/4242").json() == md
    assert s.get(f"{base}?fields=developerMetadata").json() == {"developerMetadata": [md]}
    # the old value matches nothing now: nothing changes (a lost lease is not renewed)
    r = s.post(f"{base}:batchUpdate", json={"requests": [update]})
    assert r.json()["replies"][0]["updateDeveloperMetadata"] == {}
    no_fields = {"updateDeveloperMetadata": {**update["updateDeveloperMetadata"], "fields": ""}}
    assert s.post(f"{base}:batchUpdate", json={"requests": [no_fields]}).status_code == 400
    typo = {"updateDeveloperMetadata": {**update["updateDeveloperMetadata"], "field": "x"}}
    assert s.post(f"{base}:batchUpdate", json={"requests": [typo]}).status_code == 400
    # delete of the expired value + create, in one batch: refused whole when someone won
    race = [{"deleteDeveloperMetadata": {"dataFilter": lookup}}, create]
    assert s.post(f"{base}:batchUpdate", json={"requests": race}).status_code == 400
    assert [m["metadataValue"] for m in emu.metadata(sid)] == ["b"]


def test_faults_and_counters(api):
    emu, s, base, _ = api
    emu.fail(429, count=2, op="values.get", retry_after="3")
    r = s.get(f"{base}/values/Deals")
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert s.get(f"{base}/values/Deals").status_code == 429
    assert s.get(f"{base}/values/Deals").status_code == 200
    emu.drop(op="values.get")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        s.get(f"{base}/values/Deals").json()
    emu.slow(2, op="spreadsheets.get")
    with pytest.raises(requests.Timeout):
        s.get(base, timeout=0.5)
    assert emu.api_counts() == {"values.get": 4, "spreadsheets.get": 1}


def test_auth_is_required_and_access_is_checked(emu):
    sid = emu.create_spreadsheet("Private", owner="boss@example.com")
    r = requests.get(f"{emu.url}/v4/spreadsheets/{sid}")
    assert r.status_code == 401 and r.json()["error"]["status"] == "UNAUTHENTICATED"
    token = emu.issue_token("stranger@example.com")
    r = requests.get(
        f"{emu.url}/v4/spreadsheets/{sid}", headers={"Authorization": f"Bearer {token}"}
    )
    assert (
        r.status_code == 403
        and r.json()["error"]["message"] == "The caller does not have permission"
    )
    r = requests.get(
        f"{emu.url}/v4/spreadsheets/nope", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 404


def test_token_endpoint_verifies_the_jwt_signature(emu, tmp_path):
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    good = emu.add_service_account()
    creds = service_account.Credentials.from_service_account_info(
        good, scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    creds.refresh(Request())
    assert creds.token in emu.tokens
    # a key the emulator never saw, claiming to be the good account
    with Emulator() as other:
        stranger = other.add_service_account()
    forged = dict(stranger, client_email=good["client_email"], token_uri=emu.token_uri)
    creds = service_account.Credentials.from_service_account_info(
        forged, scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    with pytest.raises(RefreshError, match="Invalid JWT Signature"):
        creds.refresh(Request())


def test_create_spreadsheet_has_googles_defaults(emu):
    token = emu.issue_token("me@example.com")
    r = requests.post(
        f"{emu.url}/v4/spreadsheets",
        json={"properties": {"title": "New"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    doc = r.json()
    assert doc["properties"]["title"] == "New"
    assert doc["sheets"][0]["properties"] == {
        "sheetId": 0,
        "title": "Sheet1",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    assert json.loads(json.dumps(doc))["spreadsheetUrl"].endswith("/edit")


# --------------------------------------------------------------------------- Google's limits


def test_a_body_over_10485760_bytes_gets_googles_answer(api):
    emu, s, base, sid = api
    before = emu.snapshot(sid)
    cell = {"userEnteredValue": {"stringValue": "x" * 40_000}}
    rows = [{"values": [cell]} for _ in range(250)]
    body = {"requests": [{"updateCells": {"start": {"sheetId": 0}, "rows": rows, "fields": "*"}}]}
    data = json.dumps(body).encode()
    pad = 10_485_761 - len(data)
    assert pad > 0
    data = data[:-2] + b" " * pad + data[-2:]  # exactly one byte over, still valid JSON
    r = s.post(f"{base}:batchUpdate", data=data, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "code": 400,
            "message": "Request payload size exceeds the limit: 10485760 bytes.",
            "errors": [
                {
                    "message": "Request payload size exceeds the limit: 10485760 bytes.",
                    "domain": "global",
                    "reason": "badRequest",
                }
            ],
            "status": "INVALID_ARGUMENT",
        }
    }
    assert emu.snapshot(sid) == before
    # 10,485,760 bytes exactly is taken
    ok = data[:-3] + data[-2:]
    assert len(ok) == 10_485_760
    ok = s.post(f"{base}:batchUpdate", data=ok, headers={"Content-Type": "application/json"})
    assert ok.status_code == 200
    assert emu.values(sid, "Deals")[249] == ["x" * 40_000]
    assert emu.body_sizes["spreadsheets.batchUpdate"] == [10_485_761, 10_485_760]


def test_a_spreadsheet_over_ten_million_cells_is_refused(api):
    emu, s, base, sid = api
    big = {
        "addSheet": {
            "properties": {
                "title": "Big",
                "gridProperties": {"rowCount": 500_000, "columnCount": 20},
            }
        }
    }
    r = s.post(f"{base}:batchUpdate", json={"requests": [big]})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Invalid requests[0].addSheet: This action would increase the number of cells in the "
        "workbook above the limit of 10000000 cells."
    )
    assert emu.cell_count(sid) == 1000 * 26  # nothing added
    fits = {
        "addSheet": {
            "properties": {
                "title": "Big",
                "gridProperties": {"rowCount": 383_000, "columnCount": 26},
            }
        }
    }
    assert s.post(f"{base}:batchUpdate", json={"requests": [fits]}).status_code == 200
    assert emu.cell_count(sid) == 1000 * 26 + 383_000 * 26 <= 10_000_000
    grow = {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 1000}}
    r = s.post(f"{base}:batchUpdate", json={"requests": [grow]})
    assert r.status_code == 400 and "limit of 10000000 cells" in r.json()["error"]["message"]
    r = s.put(
        f"{base}/values/Deals!A2000",
        params={"valueInputOption": "RAW"},
        json={"values": [["x"]] * 1000},
    )
    assert r.status_code == 400 and "limit of 10000000 cells" in r.json()["error"]["message"]


def test_a_cell_over_50000_characters_is_refused(api):
    emu, s, base, sid = api
    before = emu.snapshot(sid)

    def write(text):
        return s.post(
            f"{base}:batchUpdate",
            json={
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": 0, "rowIndex": 5},
                            "rows": [{"values": [{"userEnteredValue": {"stringValue": text}}]}],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            },
        )

    r = write("y" * 50_001)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Invalid requests[0].updateCells: Your input contains more than the maximum of 50000 "
        "characters in a single cell."
    )
    assert emu.snapshot(sid) == before
    assert write("y" * 50_000).status_code == 200
    r = s.put(
        f"{base}/values/Deals!A9",
        params={"valueInputOption": "RAW"},
        json={"values": [["z" * 50_001]]},
    )
    assert r.status_code == 400 and "maximum of 50000 characters" in r.json()["error"]["message"]


def test_more_than_18278_columns_is_refused(api):
    emu, s, base, sid = api
    wide = {
        "updateSheetProperties": {
            "properties": {"sheetId": 0, "gridProperties": {"rowCount": 10, "columnCount": 18_279}},
            "fields": "gridProperties",
        }
    }
    r = s.post(f"{base}:batchUpdate", json={"requests": [wide]})
    assert r.status_code == 400
    assert "above the limit of 18278 columns" in r.json()["error"]["message"]
    wide["updateSheetProperties"]["properties"]["gridProperties"]["columnCount"] = 18_278
    assert s.post(f"{base}:batchUpdate", json={"requests": [wide]}).status_code == 200
    more = {
        "insertDimension": {
            "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
        }
    }
    r = s.post(f"{base}:batchUpdate", json={"requests": [more]})
    assert r.status_code == 400 and "18278 columns" in r.json()["error"]["message"]
