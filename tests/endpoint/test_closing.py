"""A closed comparison (its bundle's ``closes_at`` has passed) takes no votes or withdrawals: 403, saying when."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.helpers.bundles import bundle_dict, write_bundle
from tests.helpers.endpoint import new_voter_token

from .conftest import Database

CLOSED, OPEN = "closed-poll", "open-poll"
CLOSED_AT = "2024-03-01T17:30:00+01:00"


def test_a_closed_comparison_refuses_votes_and_withdrawals_with_when_it_closed(
    database: Database, tmp_path: Path
) -> None:
    data = bundle_dict({CLOSED: ["alpha", "beta"], OPEN: ["alpha", "beta"]})
    data["comparisons"][0]["closes_at"] = CLOSED_AT
    data["comparisons"][1]["closes_at"] = "2999-01-01T00:00:00Z"
    bundle = write_bundle(tmp_path / "closing.json", data)
    with database.serve([bundle]) as url, httpx.Client(base_url=url, timeout=10) as client:
        voter = new_voter_token()
        opened = client.post("/v1/votes", json={"comparison": OPEN, "tool": "alpha", "voter": voter})
        assert opened.status_code == 200 and opened.json()["tallies"] == {"alpha": 1, "beta": 0}

        for method, body in (
            ("POST", {"comparison": CLOSED, "tool": "alpha", "voter": voter}),
            ("DELETE", {"comparison": CLOSED, "voter": voter}),
        ):
            refused = client.request(method, "/v1/votes", json=body)
            assert refused.status_code == 403, (method, refused.text)
            answer = refused.json()
            assert answer["closed_at"] == "2024-03-01T16:30:00Z"
            assert "closed at 2024-03-01T16:30:00Z" in answer["error"] and CLOSED in answer["error"]

        # Nothing was counted, and the final results stay readable.
        tallies = client.get(f"/v1/tallies/{CLOSED}")
        assert tallies.status_code == 200 and tallies.json()["total"] == 0

        document = client.get("/openapi.json").json()
        refusal = document["paths"]["/v1/votes"]["post"]["responses"]["403"]
        assert "closed" in refusal["description"]
        assert refusal["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Closed"}
        assert "closed_at" in document["components"]["schemas"]["Closed"]["properties"]
        assert "403" in document["paths"]["/v1/votes"]["delete"]["responses"]
