"""Command line of the API: `python -m api serve` starts it, `python -m api openapi` prints its document."""

from __future__ import annotations

import argparse
import json
import sys

from api.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the HTTP service")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    export = commands.add_parser("openapi", help="write the OpenAPI document")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)

    if args.command == "openapi":
        return _export_openapi(args.output)
    import uvicorn

    from api.app import create_app
    from api.storage import check_database_url

    try:  # a bad setting (DATABASE_URL, ESTIMATOR_*) is one line naming it, not a traceback
        settings = Settings.from_env()
        check_database_url(settings.database_url)
    except ValueError as exc:
        print(f"python -m api serve: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    if not settings.api_keys:
        print("No API keys configured (ESTIMATOR_API_KEYS): the service runs open, for local use.", file=sys.stderr)
    print(f"Serving on http://{host}:{port}  (Swagger UI: http://{host}:{port}/schema/swagger)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info")
    return 0


def openapi_document() -> str:
    """The served OpenAPI document as stable, pretty JSON (what `openapi/openapi.json` holds)."""
    from litestar.serialization import encode_json

    from api.app import create_app

    app = create_app(Settings())
    # Through Litestar's own encoder, as the served document is, then pretty and key-sorted.
    served = json.loads(encode_json(app.openapi_schema.to_schema()))
    return json.dumps(served, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _export_openapi(output: str | None) -> int:
    document = openapi_document()
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(document)
    else:
        sys.stdout.write(document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
