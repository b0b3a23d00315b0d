"""gunicorn entry point for benchmarks/http: serves the same .wsgi files as the httpd.conf
template, dispatching by path prefix the way WSGIScriptAlias does (SCRIPT_NAME = mount,
PATH_INFO = rest). The apps directory comes from BENCH_APPS_DIR.

    BENCH_APPS_DIR=/tmp/x/apps gunicorn -k gthread -w 2 --threads 15 router:application
"""
import os
import runpy

_APPS_DIR = os.environ["BENCH_APPS_DIR"]
_MOUNTS = {
    "/hello": "hello.wsgi",
    "/flask": "app.wsgi",
    "/big": "big.wsgi",
    "/echo": "echo.wsgi",
}
_TABLE = [
    (mount, runpy.run_path(os.path.join(_APPS_DIR, name))["application"])
    for mount, name in _MOUNTS.items()
]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    for mount, app in _TABLE:
        if path == mount or path.startswith(mount + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + mount
            environ["PATH_INFO"] = path[len(mount):]
            return app(environ, start_response)
    body = b"Not Found\n"
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
    )
    return [body]
