"""Online geocoding, opt-in: geopy's own Nominatim client against a server on 127.0.0.1 replaying
Nominatim's /search responses (jsonv2 as documented at nominatim.org/release-docs/latest/api/Search),
rate-limited, and answered from the case's cache the second time."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.geocoders import Nominatim

from workbench.errors import WorkbenchError
from workbench.geo.online import CachedGeocoder, nominatim

BOTLEK = [{
    "place_id": 123456, "licence": "Data © OpenStreetMap contributors, ODbL 1.0. "
    "http://osm.org/copyright", "osm_type": "relation", "osm_id": 7654321,
    "lat": "51.8852", "lon": "4.3119", "category": "place", "type": "suburb", "place_rank": 20,
    "importance": 0.31, "addresstype": "suburb", "name": "Botlek",
    "display_name": "Botlek, Rotterdam, Zuid-Holland, Nederland",
    "boundingbox": ["51.8700", "51.9000", "4.2600", "4.3500"],
}]


class Replay(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        query = parse_qs(url.query)
        Replay.requests.append({"path": url.path, "query": query,
                                "agent": self.headers.get("User-Agent")})
        name = query.get("q", [""])[0]
        if name == "explode":
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(BOTLEK if name.lower() == "botlek" else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Replay.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_answers_are_asked_once_and_then_come_from_the_case(case, server):
    client = Nominatim(user_agent="workbench-tests/1.0 (tests@localhost)", domain=server,
                       scheme="http")
    online = CachedGeocoder(case.db, client, min_delay_seconds=0.01)
    found = online.geocode("Botlek")
    assert (round(found.latitude, 4), round(found.longitude, 4)) == (51.8852, 4.3119)
    assert found.raw["display_name"].startswith("Botlek") and found.raw["osm_id"] == 7654321
    assert online.geocode("Nowhere at all") is None
    assert [r["query"]["q"][0] for r in Replay.requests] == ["Botlek", "Nowhere at all"]
    assert Replay.requests[0]["agent"] == "workbench-tests/1.0 (tests@localhost)"
    assert Replay.requests[0]["path"] == "/search"
    # Asked again, in this process or a later one: from the case's cache, not the service.
    again = CachedGeocoder(case.db, client, min_delay_seconds=0.01)
    assert again.geocode("  Botlek ").raw == found.raw
    assert again.geocode("Nowhere at all") is None
    assert len(Replay.requests) == 2 and again.asked == 0
    stored = case.db.execute("SELECT geocoder, query FROM geocode_cache ORDER BY query").fetchall()
    assert stored == [(f"Nominatim:{server}", "Botlek"), (f"Nominatim:{server}", "Nowhere at all")]


def test_requests_are_spaced_by_the_rate_limiter(case, server):
    import time

    client = Nominatim(user_agent="workbench-tests/1.0", domain=server, scheme="http")
    online = CachedGeocoder(case.db, client, min_delay_seconds=0.3)
    start = time.perf_counter()
    for name in ("a", "b", "c"):
        online.geocode(name)
    assert time.perf_counter() - start >= 0.55  # two waits between three requests


def test_a_failing_service_is_a_clear_error_and_nothing_is_cached(case, server):
    client = Nominatim(user_agent="workbench-tests/1.0", domain=server, scheme="http")
    online = CachedGeocoder(case.db, client, min_delay_seconds=0.01, max_retries=0)
    with pytest.raises(WorkbenchError, match="failed for 'explode'"):
        online.geocode("explode")
    assert case.db["geocode_cache"].count == 0


def test_nominatim_needs_a_user_agent_naming_the_application(case):
    with pytest.raises(WorkbenchError, match="user agent"):
        nominatim(case.db, user_agent="")
    with pytest.raises(WorkbenchError, match="user agent"):
        nominatim(case.db, user_agent="geopy/2.4")
    assert nominatim(case.db, user_agent="desk-osint/1.0 (desk@localhost)").name.startswith("Nominatim")


def test_locate_asks_the_online_geocoder_only_for_names_the_gazetteer_lacks(case, server, write_jsonl):
    from workbench.geo.locate import locate

    path = write_jsonl("posts.jsonl", [
        {"id": "1", "created_at": "2024-03-08T10:00:00Z", "author": "a",
         "text": "Black smoke over the Botlek, seen from Schiedam"},
    ])
    case.import_file(path, progress=False)
    case.update_plan(countries=["NL"])
    case.db["entities"].insert_all([  # as enrichment finds them
        {"uid": "generic:1", "label": "LOC", "text": "Botlek", "norm": "Botlek", "start": 26,
         "end": 32, "method": "model", "key": "botlek"},
        {"uid": "generic:1", "label": "PLACE", "text": "Schiedam", "norm": "Schiedam", "start": 44,
         "end": 52, "method": "gazetteer", "key": "2747596"},
    ])
    client = Nominatim(user_agent="workbench-tests/1.0", domain=server, scheme="http")
    online = CachedGeocoder(case.db, client, min_delay_seconds=0.01)
    result = locate(case, online=online, progress=False)
    assert [r["query"]["q"][0] for r in Replay.requests] == ["Botlek"]
    places = case.places().set_index("name")
    assert places.loc["Botlek", "geocoder"] == f"Nominatim:{server}"
    assert places.loc["Schiedam", "geonameid"] == 2747596
    assert result.online_asked == 1 and result.unknown_names == 0
