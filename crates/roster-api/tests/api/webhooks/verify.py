# An independent Standard Webhooks verifier (Python's hmac, not the server's
# Rust code): reads {secret, id, timestamp, body, signature} as JSON on stdin,
# exits 0 when one of the space-separated `v1,` signatures matches.
import base64, hashlib, hmac, json, sys

m = json.load(sys.stdin)
key = base64.b64decode(m["secret"].removeprefix("whsec_"))
signed = f'{m["id"]}.{m["timestamp"]}.{m["body"]}'.encode()
expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
ok = any(
    hmac.compare_digest(s.split(",", 1)[1], expected) for s in m["signature"].split(" ") if s.startswith("v1,")
)
sys.exit(0 if ok else 1)
