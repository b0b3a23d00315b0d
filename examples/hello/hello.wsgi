# Hello-world WSGI application (PEP 3333), the smallest thing mod_wsgi or tswsgi can serve.
# httpd.conf:  WSGIScriptAlias /hello /path/to/examples/hello/hello.wsgi

BODY = b"Hello World!\n"


def application(environ, start_response):
    start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))],
    )
    return [BODY]
