"""OpenAPI links between operations (issue 17): how a client goes from a list to a referral,
and from a referral read to its transitions with the ETag it read. Schemathesis follows them
in its stateful test (tests/test_api_schemathesis.py)."""

TRANSITIONS = ("accept", "refuse", "entry", "exit")


def _link(operation_id, parameters, description):
    return {"operationId": operation_id, "parameters": parameters, "description": description}


def add_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: declare the links on the 200 answers."""
    paths = result.get("paths", {})
    to_detail = {
        "Referral": _link(
            "referrals_retrieve",
            {"id": "$response.body#/results/0/id"},
            "La première orientation de la page.",
        )
    }
    for path in ("/api/v1/referrals/received/", "/api/v1/referrals/sent/"):
        answer = paths.get(path, {}).get("get", {}).get("responses", {}).get("200")
        if answer is not None:
            answer["links"] = dict(to_detail)
    detail = paths.get("/api/v1/referrals/{id}/", {}).get("get", {}).get("responses", {})
    if "200" in detail:
        detail["200"]["headers"] = {
            "ETag": {
                "schema": {"type": "string"},
                "description": "La version lue, à renvoyer dans If-Match pour une transition.",
            }
        }
        detail["200"]["links"] = {
            name.capitalize(): _link(
                f"referrals_{name}_create",
                {"id": "$request.path.id", "header.If-Match": "$response.header.ETag"},
                f"Transition « {name} » de cette orientation, à la version lue.",
            )
            for name in TRANSITIONS
        }
    return result
