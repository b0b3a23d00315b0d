# Flask hello world served through WSGIScriptAlias (mod_wsgi's entry point is `application`).
# httpd.conf:  WSGIScriptAlias /flask /path/to/examples/flask/app.wsgi
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello World!\n", 200, {"Content-Type": "text/plain"}


application = app
