"""Swagger UI served from a Python package, so the docs work on a closed network (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import Router, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import PathParameter
from litestar.response import File
from swagger_ui_bundle import swagger_ui_path

ASSETS_PATH = "/schema/assets"
_ASSETS = Path(str(swagger_ui_path))
# Only the package's own files, by name: a path is never joined from what a client sends, so a NUL,
# a name too long for the file system or a file taken for a folder is a 404, not an OSError (500).
_FILES = frozenset(p.name for p in _ASSETS.iterdir() if p.is_file())


def swagger_plugin() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        path="/swagger",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


@get("/{name:str}", include_in_schema=False, name="swagger-assets")
async def swagger_asset(name: Annotated[str, PathParameter()]) -> File:
    if name not in _FILES:
        raise NotFoundException(detail=f"no Swagger UI asset {name[:80]!r}")
    return File(path=_ASSETS / name, filename=name, content_disposition_type="inline")


def swagger_assets() -> Router:
    return Router(path=ASSETS_PATH, route_handlers=[swagger_asset])
