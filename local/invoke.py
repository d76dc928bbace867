"""Invoke one function of template.yaml with an event file, in-process (`sam local invoke` without Docker).

    python -m local.invoke RefreshCatalogFunction events/refresh_catalog_schedule.json
    python -m local.invoke GetModelFunction events/anthropic_get_model.json

Prints what the handler returned, as JSON. The environment and data source are chosen as for
`python -m local.server`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local.server import DEFAULT_TEMPLATE, create_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.invoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("function", help="logical id of the function, e.g. ListModelsFunction")
    parser.add_argument("event", type=Path, nargs="?", help="event JSON file (default: {})")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text()) if args.event else {}
    server = create_server(template=args.template, log_requests=False)
    try:
        print(f"Data source: {server.data_source.describe()}", file=sys.stderr)
        function = server.api.functions.get(args.function)
        if function is None:
            known = ", ".join(sorted(server.api.functions))
            parser.error(f"no function {args.function!r}; there are: {known}")
        result = function.invoke(event)
    finally:
        server.stop()
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
