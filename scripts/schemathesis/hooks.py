"""schemathesis hooks: valid credentials for every Fundline product.

Loaded by scripts/schemathesis/run through SCHEMATHESIS_HOOKS. It reads the
sandbox tenant's credentials (FUNDLINE_ST_CREDENTIALS, the JSON that `serve`
writes) and the server's base URL (FUNDLINE_ST_BASE), sets up a few records
through the real API, and then gives every generated request the credential
its product uses:

- check cashing (/api/v1/partners/*): a partner sessionId from
  AuthenticatePartner (Basic client credentials for AuthenticatePartner);
- capture sessions and the payout gateway: the Kong hmac-auth style signature
  (docs/gateway.md), computed over the exact bytes `requests` is about to send;
- the token service (/v1/{merchantId}/…): Connect v1HMAC, and the sandbox
  merchant id in the path; /client/v1/…: `GCS v1Client:<clientSessionId>`;
- bank analysis (/api/v1/auth, user, customer, instantbankanalysis): a staff
  Bearer JWT from /api/v1/auth/login;
- check deposits (/api/v1/checks*): the customer bearer token from
  POST /api/v1/checks/sessions, which itself gets a fresh ssoToken from
  AuthenticateOBO half of the time;
- the sandbox mailbox: the sandbox staff user's HTTP Basic sign-in.

Signing is an independent Python implementation of both schemes, so a run
also cross-checks the servers' verifiers. Path ids are replaced by ids of real
records half of the time, and so are the gateway's body fields that name a
record (customer_account_token, transaction_id); its participant_id is the
sandbox participant's nine times in ten. Generated bodies then reach the
code behind the lookup instead of stopping at 401 or 404.
"""

import base64
import email.utils
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

import requests
import schemathesis

BASE = os.environ["FUNDLINE_ST_BASE"].rstrip("/")
with open(os.environ["FUNDLINE_ST_CREDENTIALS"], encoding="utf-8") as f:
    CREDS = json.load(f)

_lock = threading.RLock()
_cache = {}


def _http(method, path, **kwargs):
    url = path if path.startswith("http") else BASE + path
    r = requests.request(method, url, timeout=30, **kwargs)
    return r


def _sample_customer():
    """The valid individual customer the fuzz corpus (and the Rust tests) use."""
    path = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "../../fuzz/corpus/analysis_bodies/customer_create",
    )
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- request signing ------------------------------------------------------


class GatewaySigner(requests.auth.AuthBase):
    """Kong hmac-auth (draft-cavage) signature over the prepared request."""

    def __call__(self, r):
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        url = urlsplit(r.url)
        target = url.path + (("?" + url.query) if url.query else "")
        # A unique signed header: identical requests in the same second would
        # otherwise share a signature and be refused as replays.
        r.headers["X-Request-Id"] = str(uuid.uuid4())
        r.headers["X-Date"] = email.utils.formatdate(usegmt=True)
        r.headers["Content-sha512"] = base64.b64encode(hashlib.sha512(body).digest()).decode()
        r.headers["Content-Length"] = str(len(body))
        names = ["request-line", "x-date", "content-sha512", "content-length", "x-request-id"]
        if r.headers.get("Content-Type"):
            names.insert(2, "content-type")
        lines = []
        for name in names:
            if name == "request-line":
                lines.append(f"{r.method} {target} HTTP/1.1")
            else:
                lines.append(f"{name}: {r.headers[name]}")
        secret = CREDS["ingopay"]["secret"].encode("utf-8")
        sig = base64.b64encode(hmac.new(secret, "\n".join(lines).encode("utf-8"), hashlib.sha512).digest()).decode()
        r.headers["Authorization"] = (
            f'hmac username="{CREDS["ingopay"]["username"]}", algorithm="hmac-sha512", '
            f'headers="{" ".join(names)}", signature="{sig}"'
        )
        return r


class ConnectSigner(requests.auth.AuthBase):
    """Connect v1HMAC, as the official SDKs sign (spec/connect-wire.md)."""

    def __call__(self, r):
        url = urlsplit(r.url)
        target = url.path + (("?" + url.query) if url.query else "")
        r.headers["Date"] = email.utils.formatdate(usegmt=True)
        r.headers["X-GCS-ServerMetaInfo"] = base64.b64encode(b'{"sdkCreator":"fundline-schemathesis"}').decode()
        gcs = sorted(
            (k.lower(), " ".join(str(v).strip().splitlines()))
            for k, v in r.headers.items()
            if k.lower().startswith("x-gcs")
        )
        lines = [r.method.upper(), r.headers.get("Content-Type", ""), r.headers["Date"]]
        lines += [f"{k}:{v}" for k, v in gcs]
        lines.append(target)
        to_sign = "".join(line + "\n" for line in lines)
        secret = CREDS["connect"]["secret_api_key"].encode("utf-8")
        sig = base64.b64encode(hmac.new(secret, to_sign.encode("utf-8"), hashlib.sha256).digest()).decode()
        r.headers["Authorization"] = f"GCS v1HMAC:{CREDS['connect']['api_key_id']}:{sig}"
        return r


# --- credentials that come from the API itself -----------------------------


def _cached(name, ttl, make):
    with _lock:
        hit = _cache.get(name)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        value = make()
        _cache[name] = (value, time.monotonic() + ttl)
        return value


def partner_session():
    def make():
        cc = CREDS["check_cashing"]
        r = _http(
            "POST",
            "/api/v1/partners/authenticate",
            auth=(cc["client_id"], cc["client_secret"]),
            headers={"deviceId": "schemathesis"},
            data={"grant_type": "client_credentials"},
        )
        r.raise_for_status()
        return r.headers["sessionId"]

    return _cached("partner", 600, make)


def _staff_login():
    a = CREDS["analysis"]
    r = _http("POST", "/api/v1/auth/login", json={"email": a["email"], "password": a["password"]})
    r.raise_for_status()
    return r.json()["data"]["accessToken"]


def staff_token():
    return _cached("staff", 600, _staff_login)


def logout_token():
    """A session of its own for POST /api/v1/auth/logout, which ends the
    session it is called with: with the shared one, every staff operation
    after the first documented logout example would answer 401."""
    return _cached("logout", 36000, _staff_login)


def _partner(path, body):
    r = _http(
        "POST",
        "/api/v1/partners/" + path,
        json=body,
        headers={"sessionId": partner_session(), "deviceId": "schemathesis"},
    )
    if r.status_code >= 300:
        raise RuntimeError(f"{path}: {r.status_code} {r.text}")
    return r.json()


def fixtures():
    """Records the generated requests can point at (made once)."""

    def make():
        fx = {}
        ssn = f"{random.randint(100, 665)}{random.randint(10, 99)}{random.randint(1000, 9999)}"
        enrolled = _partner(
            "enroll-customer",
            {
                "emailAddress": f"st-{uuid.uuid4().hex[:12]}@example.com",
                "ssn": ssn,
                "firstName": "Roger",
                "lastName": "Rabbit",
                "mobileNumber": "6153456789",
                "addressLine1": "660 Bakers Bridge Lane",
                "addressLine2": "",
                "city": "Franklin",
                "state": "TN",
                "zip": "37067",
                "dateOfBirth": "1978-09-11",
                "allowTexts": "Y",
            },
        )
        fx["partner_customer"] = enrolled["CustomerId"]
        card = _partner(
            "add-or-update-card",
            {
                "customerId": fx["partner_customer"],
                "cardNumber": "4111111111111111",
                "expirationMonthYear": "1230",
                "cardNickname": "Home",
                "nameOnCard": "Roger Rabbit",
                "addressLine1": "660 Bakers Bridge Lane",
                "addressLine2": "",
                "city": "Franklin",
                "state": "TN",
                "zip": "37067",
            },
        )
        fx["partner_card"] = card.get("cardId")

        r = _http(
            "POST",
            f"/v1/{CREDS['connect']['merchant_id']}/tokens",
            auth=ConnectSigner(),
            json={
                "paymentProductId": 1,
                "card": {
                    "customer": {"billingAddress": {"countryCode": "US"}},
                    "data": {"cardWithoutCvv": {"cardNumber": "4111111111111111", "expiryDate": "1230", "cardholderName": "Schema Thesis"}},
                },
            },
        )
        if r.status_code in (200, 201):
            fx["connect_token"] = r.json()["token"]
        r = _http("POST", f"/v1/{CREDS['connect']['merchant_id']}/sessions", auth=ConnectSigner(), json={})
        if r.status_code in (200, 201):
            fx["connect_session"] = r.json()["clientSessionId"]
            fx["connect_customer"] = r.json()["customerId"]

        auth = {"Authorization": "Bearer " + staff_token()}
        # Logged in now, before generated logins can lock the address out.
        logout_token()
        r = _http(
            "POST",
            "/api/v1/customer",
            headers=auth,
            json={
                **_sample_customer(),
                "userName": f"st{uuid.uuid4().hex[:10]}",
                "firstName": "Jane",
                "email": f"st-{uuid.uuid4().hex[:12]}@example.com",
                "ssn": f"{random.randint(100000000, 665999999)}",
                "bankAccNo": f"{random.randint(10**15, 10**16 - 1)}",
                "triggerReportRequest": True,
            },
        )
        if r.status_code == 200:
            data = r.json().get("data") or {}
            fx["analysis_customer"] = data.get("id") or data.get("customerId")
        r = _http("GET", "/api/v1/instantbankanalysis/report-requests", headers=auth)
        if r.status_code == 200:
            body = r.json()
            items = body.get("data")
            if isinstance(items, dict):
                items = items.get("records") or []
            if items:
                fx["report_request"] = items[0].get("id") or items[0].get("reportRequestId")
        # Complete that report through the customer's link and the sandbox
        # bank, so the report endpoints have a finished report to read.
        # The mailbox is for the sandbox tenant's staff (HTTP Basic login).
        mail = _http(
            "GET",
            "/sandbox/mailbox",
            auth=(CREDS["analysis"]["email"], CREDS["analysis"]["password"]),
        ).text
        links = re.findall(re.escape(BASE) + r"/connect/[A-Za-z0-9_-]+", mail)
        if links:
            link = links[0]
            fx["link_token"] = link.rsplit("/", 1)[1]
            _http("POST", link + "/consent")
            _http("POST", link + "/sandbox-bank")
            for _ in range(100):
                if "Completed" in _http("GET", link + "/status").text:
                    break
                time.sleep(0.1)
        # A staff user of its own for the user paths to name: a generated
        # password reset or deactivation of the signed-in admin would end the
        # run's staff session, and every staff operation after it would
        # answer 401.
        r = _http(
            "POST",
            "/api/v1/user",
            headers=auth,
            json={
                "firstName": "Ada",
                "lastName": "Byron",
                "email": f"st-{uuid.uuid4().hex[:12]}@example.com",
                "phone": "2125550123",
                "password": "quiet lantern 4 river",
                "role": "analyst",
            },
        )
        if r.status_code == 200:
            fx["user"] = (r.json().get("data") or {}).get("id")
        # A verified card and a payment to it, for process, search and
        # checkcancel to name.
        gateway = {"participant_id": CREDS["ingopay"]["participant_id"], "timestamp": int(time.time()), "version": 11}
        r = _http(
            "POST",
            "/gateway/verify",
            auth=GatewaySigner(),
            json={
                **gateway,
                "participant_unique_id1": "schemathesis",
                "account_type": "CA",
                "account": "4111111111111111",
                "expiration_date": "3012",
                "recipient_first_name": "Johnny",
                "recipient_last_name": "Rockets",
                "recipient_address1": "123 Main St",
                "recipient_city": "Atlanta",
                "recipient_state": "GA",
                "recipient_zip": "30313",
            },
        )
        if r.status_code == 200:
            fx["gateway_token"] = r.json()["data"]["customer_account_token"]
            r = _http(
                "POST",
                "/gateway/process",
                auth=GatewaySigner(),
                json={
                    **gateway,
                    "participant_unique_id1": "schemathesis",
                    "customer_account_token": fx["gateway_token"],
                    "amount": "10.50",
                },
            )
            if r.status_code == 200:
                fx["gateway_transaction"] = r.json()["data"]["transaction_id"]
        return fx

    return _cached("fixtures", 10**9, make)


def sso_token():
    """A fresh single-use ssoToken from AuthenticateOBO."""
    return _partner("authenticate-obo", {"customerId": fixtures()["partner_customer"]})["ssoToken"]


def _fresh_sso_token():
    """sso_token(), or None when the partner API refuses (its rate limit is
    shared with the generated partner calls): the body keeps its own value."""
    try:
        return sso_token()
    except RuntimeError:
        return None


def check_token():
    """A check-deposit bearer token: AuthenticateOBO's ssoToken, exchanged."""

    def make():
        fx = fixtures()
        r = _http("POST", "/api/v1/checks/sessions", json={"ssoToken": sso_token()})
        r.raise_for_status()
        return r.json()["accessToken"]

    return _cached("checks", 600, make)


# --- hooks -----------------------------------------------------------------

PATH_IDS = {
    "merchantId": lambda fx: CREDS["connect"]["merchant_id"],
    "tokenId": lambda fx: fx.get("connect_token"),
    "customerId": lambda fx: fx.get("analysis_customer"),
    "reportId": lambda fx: fx.get("report_request"),
    "ReportId": lambda fx: fx.get("report_request"),
    "userId": lambda fx: fx.get("user"),
    # Spent by the sandbox bank: the link's answers past the lookup (410).
    "token": lambda fx: fx.get("link_token"),
}


def _point_at_records(case):
    """Real ids in the path half of the time (the merchant id nearly always)."""
    params = case.path_parameters
    if not params:
        return
    fx = fixtures()
    path = case.operation.path
    for name in list(params):
        if name == "merchantId":
            # Another merchant's id is its own 403 test; keep it rare.
            if random.random() < 0.9:
                params[name] = CREDS["connect"]["merchant_id"]
            continue
        if name == "customerId" and path.startswith("/client/"):
            value = fx.get("connect_customer")
        else:
            pick = PATH_IDS.get(name)
            value = pick(fx) if pick else None
        if value and random.random() < 0.5:
            params[name] = value


def _point_body_at_records(case, fields):
    """Body fields that name a record or credential (field: (how often,
    value)) get a real one that often, so that valid bodies reach the logic
    behind the lookup instead of stopping at 401 or 404."""
    if not isinstance(case.body, dict):
        return
    fx = fixtures()
    for field, (often, pick) in fields.items():
        if field in case.body and random.random() < often:
            value = pick(fx)
            if value is not None:
                case.body[field] = value


def _product(path):
    if path.startswith("/api/v1/partners/webhook"):
        return "partner"
    if path == "/api/v1/partners/authenticate":
        return "partner-client"
    if path.startswith("/api/v1/partners/"):
        return "partner"
    if path.startswith("/gateway/") or path == "/api/v1/sessions/point-in-time/plugin":
        return "gateway"
    if path.startswith("/v1/"):
        return "connect"
    if path.startswith("/client/v1/"):
        return "connect-client"
    if path == "/api/v1/checks/sessions":
        return "checks-session"
    if path == "/sandbox/mailbox":
        return "mailbox"
    if path.startswith("/api/v1/checks"):
        return "checks"
    if path in ("/api/v1/auth/login", "/api/v1/auth/refresh"):
        return None
    if path.startswith("/api/v1/"):
        return "staff"
    return None


@schemathesis.hook
def before_call(ctx, case, kwargs):
    product = _product(case.operation.path)
    _point_at_records(case)
    headers = case.headers if case.headers is not None else {}
    # A generated Authorization header would replace ours; the coverage
    # phase's own negative cases (missing or odd headers) still run for every
    # other header.
    for name in list(headers):
        if name.lower() in ("authorization", "sessionid", "deviceid", "date", "x-date"):
            del headers[name]
        # Framing headers are HTTP's, not the API's: a bad Content-Length is
        # refused by the HTTP parser with a bare 400 and a closed connection
        # (RFC 9112 §6.3) before any route or envelope exists.
        elif name.lower() in ("content-length", "transfer-encoding", "host", "connection"):
            del headers[name]
    if product == "partner":
        # The session is bound to the device that opened it.
        headers["sessionId"] = partner_session()
        headers["deviceId"] = "schemathesis"
    elif product == "partner-client":
        cc = CREDS["check_cashing"]
        kwargs["auth"] = (cc["client_id"], cc["client_secret"])
        headers["deviceId"] = "schemathesis"
        # Credentials in the form would be checked instead of Basic ones.
        if isinstance(case.body, dict):
            for field in ("client_id", "client_secret"):
                if field in case.body:
                    case.body[field] = cc[field]
    elif product == "gateway":
        _point_body_at_records(case, {
            # Another participant's id is its own 401 test; keep it rare.
            "participant_id": (0.9, lambda fx: CREDS["ingopay"]["participant_id"]),
            "customer_account_token": (0.5, lambda fx: fx.get("gateway_token")),
            "transaction_id": (0.5, lambda fx: fx.get("gateway_transaction")),
        })
        kwargs["auth"] = GatewaySigner()
    elif product == "checks-session":
        _point_body_at_records(case, {"ssoToken": (0.5, lambda fx: _fresh_sso_token())})
    elif product == "mailbox":
        # The sandbox tenant's staff sign in with HTTP Basic.
        kwargs["auth"] = (CREDS["analysis"]["email"], CREDS["analysis"]["password"])
    elif product == "connect":
        kwargs["auth"] = ConnectSigner()
    elif product == "connect-client":
        session = fixtures().get("connect_session")
        if session:
            headers["Authorization"] = f"GCS v1Client:{session}"
    elif product == "staff":
        logout = case.operation.path == "/api/v1/auth/logout"
        headers["Authorization"] = "Bearer " + (logout_token() if logout else staff_token())
    elif product == "checks":
        headers["Authorization"] = "Bearer " + check_token()
    case.headers = headers
