#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# blocklist_server.py: a small list server for blocklist-update.test, run
# in the lab's wan namespace.  It serves the files of --dir with the
# validators a test asks for by the first path element:
#
#   /etag/NAME   ETag only (If-None-Match -> 304)
#   /lm/NAME     Last-Modified only (If-Modified-Since -> 304)
#   /plain/NAME  no validators (always 200)
#   /fail/NAME   500, whatever the file
#   /redir/URL   302 to the rest of the path (e.g. file:///etc/passwd)
#
# A file NAME.fail beside NAME makes every mode answer 500 for it.
# and logs one line per request to --log: the path, the conditional
# headers it carried and the status it got, so the test sees what
# homegwctl asked for.  --cert/--key serve HTTPS instead.
import argparse
import email.utils
import hashlib
import http.server
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "lablists/1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        with open(self.server.logfile, "a") as f:
            f.write("%s inm=%s ims=%s status=%d\n" % (
                self.path, self.headers.get("If-None-Match", "-"),
                self.headers.get("If-Modified-Since", "-"), status))

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
        self.note(status)

    def do_GET(self):
        if self.path.startswith("/redir/"):
            return self.answer(302, b"", [("Location", self.path[7:])])
        parts = self.path.split("/", 2)
        if len(parts) != 3 or "/" in parts[2] or parts[2].startswith("."):
            return self.answer(404, b"not found\n")
        mode, name = parts[1], parts[2]
        if mode == "fail":
            return self.answer(500, b"broken\n")
        path = os.path.join(self.server.dir, name)
        if os.path.exists(path + ".fail"):
            return self.answer(500, b"broken\n")
        try:
            with open(path, "rb") as f:
                body = f.read()
            mtime = int(os.stat(path).st_mtime)
        except OSError:
            return self.answer(404, b"not found\n")
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        lm = email.utils.formatdate(mtime, usegmt=True)
        hdrs = []
        if mode == "etag":
            hdrs.append(("ETag", etag))
            if self.headers.get("If-None-Match") == etag:
                return self.answer(304, headers=hdrs)
        elif mode == "lm":
            hdrs.append(("Last-Modified", lm))
            ims = self.headers.get("If-Modified-Since")
            if ims:
                try:
                    t = email.utils.parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    t = None
                if t is not None and mtime <= t:
                    return self.answer(304, headers=hdrs)
        elif mode != "plain":
            return self.answer(404, b"not found\n")
        self.answer(200, body, hdrs + [("Content-Type", "text/plain")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer((a.bind, a.port), Handler)
    srv.dir = a.dir
    srv.logfile = a.log
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
