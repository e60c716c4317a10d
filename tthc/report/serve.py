"""`tthc docs serve`: the dbt docs and the report site beside the warehouse, on localhost."""

from __future__ import annotations

import functools
import http.server
import os
import posixpath
import stat
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
            if is_plain_file(Path(self.translate_path(self.path)), Path(self.directory) / first):
                return True
            self.send_error(404, "only regular files under /docs/ and /report/ are served, never a link")
            return False
        if first == "":
            self.send_response(302)
            self.send_header("Location", "/report/")
            self.end_headers()
        else:
            self.send_error(404, "only /docs/ and /report/ are served")
        return False


def is_plain_file(target: Path, root: Path) -> bool:
    """`target` is `root` or lies under it, with no symbolic link on the way (the served folder
    included), and is a regular file or a folder (whose index.html is checked the same way)."""
    try:
        relative = Path(os.path.abspath(target)).relative_to(os.path.abspath(root))
    except ValueError:
        return False
    here = Path(os.path.abspath(root))
    for part in ("", *relative.parts):
        here = here / part if part else here
        try:
            mode = os.lstat(here).st_mode
        except OSError:
            return True  # nothing there: the handler answers 404 itself
        if stat.S_ISLNK(mode):
            return False
    if stat.S_ISDIR(mode):
        index = here / "index.html"
        return not index.is_symlink() and (not index.exists() or index.is_file())
    return stat.S_ISREG(mode)


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
