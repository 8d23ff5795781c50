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
    # Repeated header lines may also arrive joined by commas (RFC 9110 §5.3); keys hold no commas.
    keys = [k.strip() for line in request.headers.getall(API_KEY_HEADER, []) for k in line.split(",")]
    if not keys:
        return None
    if len(keys) > 1:  # which firm would it be? Neither guess is safe.
        raise NotAuthorizedException(f"send one `{API_KEY_HEADER}` header, not {len(keys)}")
    tenant = settings.api_keys.get(keys[0])
    if tenant is None:
        raise NotAuthorizedException("unknown API key")
    return tenant


def require_tenant(tenant: str | None) -> str:
    if tenant is None:
        raise NotAuthorizedException(f"this operation needs an API key in the `{API_KEY_HEADER}` header")
    return tenant
