"""Factories of the API (issue 17): tokens with a scope, a bearer header, webhook endpoints."""

from parcours.api.models import ApiToken, Scope, WebhookEndpoint


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def token_key(membership, scope: str = Scope.READ) -> str:
    """The clear key of a new token of `membership`."""
    return ApiToken.issue(membership, "SI de test", scope=scope)[1]


def webhook_endpoint(organisation, url: str = "https://si.partenaire.example.org/parcours"):
    return WebhookEndpoint.objects.create(
        organisation=organisation, url=url, secret=WebhookEndpoint.new_secret()
    )
