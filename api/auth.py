"""API keys: which tenant (firm) a request speaks for.

With no keys configured the service runs open for local use and every caller is one local tenant.
With keys, a request without `X-API-Key` is anonymous (it may use the public default calibration),
and a request with an unknown key is refused.
"""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from api.settings import Settings

API_KEY_HEADER = "X-API-Key"
LOCAL_TENANT = "local"


def caller_tenant(request: Request, settings: NamedDependency[Settings]) -> str | None:  # type: ignore[type-arg]  # any Request
    """The tenant of the request's API key; None for an anonymous caller of a keyed service."""
    if not settings.api_keys:
        return LOCAL_TENANT
    key = request.headers.get(API_KEY_HEADER)
    if key is None:
        return None
    tenant = settings.api_keys.get(key)
    if tenant is None:
        raise NotAuthorizedException("unknown API key")
    return tenant


def require_tenant(tenant: str | None) -> str:
    if tenant is None:
        raise NotAuthorizedException(f"this operation needs an API key in the `{API_KEY_HEADER}` header")
    return tenant
