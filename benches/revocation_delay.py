"""Measures how long a revocation through one `revocation` example instance
takes to be refused by another instance on the same redis-server (127.0.0.1).

Needs redis-server, PyJWT, and the example built first:
    cargo build --example revocation --features axum,jwt,cache,redis
    python3 benches/revocation_delay.py
"""
import http.client, json, os, socket, subprocess, sys, time, statistics
import jwt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = open(f"{ROOT}/tests/fixtures/jwt/hs256.secret").read()
ISS, AUD = "https://issuer.example.com", "https://api.example.com"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def token(jti, scope="read"):
    return jwt.encode({"iss": ISS, "aud": AUD, "sub": "u", "scope": scope, "exp": int(time.time()) + 3600, "jti": jti}, SECRET, algorithm="HS256")

def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close(); return
        except OSError:
            time.sleep(0.025)
    sys.exit(f"port {port} not up")

rport = free_port()
redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(rport), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
wait_port(rport)
ports = [free_port(), free_port()]
env = dict(os.environ, JWT_SECRET=SECRET, JWT_ISSUER=ISS, JWT_AUDIENCE=AUD, REDIS_URL=f"redis://127.0.0.1:{rport}/")
apps = [subprocess.Popen([f"{ROOT}/target/debug/examples/revocation"], env=dict(env, BIND=f"127.0.0.1:{p}"), stderr=subprocess.DEVNULL) for p in ports]
for p in ports: wait_port(p)
conns = [http.client.HTTPConnection("127.0.0.1", p) for p in ports]

def req(i, method, path, tok, body=None):
    conns[i].request(method, path, body=body, headers={"Authorization": f"Bearer {tok}"})
    r = conns[i].getresponse(); r.read(); return r.status

admin = token("admin-jti", "read admin")
delays = []
try:
    for n in range(200):
        jti = f"measure-{n}"; tok = token(jti)
        assert req(1, "GET", "/me", tok) == 200
        t0 = time.perf_counter()
        assert req(0, "POST", "/admin/revoke", admin, jti) == 204
        t1 = time.perf_counter()
        polls = 0
        while req(1, "GET", "/me", tok) != 401:
            polls += 1
            if time.perf_counter() - t0 > 5: sys.exit("not refused within 5 s")
        t2 = time.perf_counter()
        delays.append(((t2 - t1) * 1000, (t2 - t0) * 1000, polls))
finally:
    for a in apps: a.kill()
    redis.kill()
after = [d[0] for d in delays]; total = [d[1] for d in delays]
q = lambda xs, p: sorted(xs)[int(len(xs) * p) - 1]
print(f"{len(delays)} revocations; from revoke() returning to refusal by the other instance: "
      f"median {statistics.median(after):.2f} ms, p99 {q(after, 0.99):.2f} ms, max {max(after):.2f} ms; "
      f"from the POST: median {statistics.median(total):.2f} ms, max {max(total):.2f} ms; "
      f"polls before refusal: max {max(d[2] for d in delays)}")
