"""The API's OpenAPI document: served, listing the public endpoints with their answers; no docs
page (it would load its scripts from a CDN)."""


def test_openapi_document_lists_the_public_booking_endpoints(anon_client, db):
    response = anon_client.get("/api/v1/openapi.json")

    document = response.json()
    paths = document["paths"]
    assert (response.status_code, document["info"]["title"], document["info"]["version"]) == (
        200,
        "Mainthing",
        "1",
    )
    assert {path: sorted(paths[path]) for path in paths if path.startswith("/api/v1/public/")} == {
        "/api/v1/public/{slug}/slots": ["get"],
        "/api/v1/public/{slug}/bookings": ["post"],
    }
    assert sorted(paths["/api/v1/public/{slug}/slots"]["get"]["responses"]) == [
        "200", "404", "422", "429",
    ]  # fmt: skip
    assert sorted(paths["/api/v1/public/{slug}/bookings"]["post"]["responses"]) == [
        "200", "201", "404", "409", "422", "429",
    ]  # fmt: skip
    query = [p["name"] for p in paths["/api/v1/public/{slug}/slots"]["get"]["parameters"]]
    assert query == ["slug", "tz", "from", "to", "minutes"]


def test_no_docs_page_and_unknown_api_addresses_answer_json(anon_client, db):
    docs = anon_client.get("/api/v1/docs")
    elsewhere = anon_client.get("/api/v1/public/")

    assert [(r.status_code, r.json()) for r in (docs, elsewhere)] == [
        (404, {"detail": "Not found."}),
        (404, {"detail": "Not found."}),
    ]
