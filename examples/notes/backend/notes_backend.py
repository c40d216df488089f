#!/usr/bin/python3
"""The notes app's backend: a JSON API that trusts only the identity Latchkey signs.

  /usr/bin/python3 notes_backend.py --port 8082 --db notes.db \
      --jwks-url http://127.0.0.1:8080/.well-known/jwks.json \
      --issuer http://127.0.0.1:8080 --audience /api/notes

Listens on 127.0.0.1 only and prints one line when it does ("notes backend listening on
http://127.0.0.1:PORT ..."; --port 0 picks a free port). Stops on SIGINT or SIGTERM.
Needs Debian's python3-jwt and python3-cryptography (scripts/install-deps.sh --example).
The API: http_api.py; who the caller is: identity.py; the notes: store.py.
"""
import argparse
import signal
import sys
import threading

from http_api import make_server
from identity import AssertionVerifier
from store import NotesStore


def parse_args(argv):
    p = argparse.ArgumentParser(description="Notes backend behind Latchkey")
    p.add_argument("--port", type=int, default=8082, help="port on 127.0.0.1 (0: any free one)")
    p.add_argument("--db", required=True, help="SQLite file of the notes (created when missing)")
    p.add_argument("--jwks-url", required=True, help="Latchkey's /.well-known/jwks.json")
    p.add_argument("--issuer", required=True, help="Latchkey's --public-url: the assertions' iss")
    p.add_argument("--audience", required=True,
                   help="the assertions' aud: the --upstream prefix (/api/notes), or "
                        "Latchkey's --public-url behind forward auth")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("--port must be 0-65535")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    verifier = AssertionVerifier(args.jwks_url, args.issuer, args.audience)
    server = make_server(args.port, verifier, NotesStore(args.db))
    # shutdown() waits for serve_forever() to return, so it cannot run on serve_forever's thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    host, port = server.server_address[:2]
    print(f"notes backend listening on http://{host}:{port}"
          f" (iss {args.issuer}, aud {args.audience})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
