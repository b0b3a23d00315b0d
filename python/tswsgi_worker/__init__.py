"""tswsgi's Python worker: runs WSGI applications for the Node front end.

mod_wsgi counterpart: the daemon process side of mod_wsgi (wsgi_daemon.c,
wsgi_adapter.c, wsgi_interp.c). Stdlib only, Python 3.8+. The wire protocol
is docs/protocol.md; the entry point is ``tswsgi_worker.__main__.main``.
"""

BOOT_ERROR = 3
APP_LOAD_ERROR = 4

# The exact -c program the supervisor runs, with argv [<python/ dir>, <json>].
BOOTSTRAP = ("import sys;sys.path.insert(0,sys.argv[1]);"
             "import tswsgi_worker.__main__ as m;m.main(sys.argv[2:])")
