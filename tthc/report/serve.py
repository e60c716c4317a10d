"""`tthc docs serve`: the dbt docs and the report site beside the warehouse, on localhost."""

from __future__ import annotations

import functools
import http.server
import posixpath
import urllib.parse
from pathlib import Path


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the docs and the report site beside the warehouse, and nothing else there (not the
    warehouse file, not the run logs); / leads to the report site."""

    SERVED = ("docs", "report")

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        if self._allowed():
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._allowed():
            super().do_HEAD()

    def _allowed(self) -> bool:
        # the path as the handler will resolve it (decoded, dot segments gone): /report/../x is /x
        path = posixpath.normpath(urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0]))
        first = path.lstrip("/").split("/", 1)[0]
        if first in self.SERVED:
            return True
        if first == "":
            self.send_response(302)
            self.send_header("Location", "/report/")
            self.end_headers()
        else:
            self.send_error(404, "only /docs/ and /report/ are served")
        return False


def serve_site(warehouse: Path, port: int) -> None:
    """Serve /docs/ and /report/ beside `warehouse` on 127.0.0.1 until Ctrl-C."""
    handler = functools.partial(_SiteHandler, directory=str(warehouse.parent))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        print(f"dbt docs of {warehouse} on {root}/docs/ (Ctrl-C to stop)", flush=True)
        print(f"report site on {root}/report/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
