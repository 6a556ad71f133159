"""A minimal S3 client over http.client with SigV4 signing.

The local server tooling and the tests use it to create buckets, probe
readiness and check results independently of the library under test: if the
native client were broken, this still tells the truth about the server.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import http.client
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _quote(text: str, safe: str = "") -> str:
    return urllib.parse.quote(text, safe="-_.~" + safe)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class SimpleS3:
    """Path-style requests to one endpoint, signed with static credentials."""

    endpoint: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    timeout: float = 30.0

    def request(
        self,
        method: str,
        bucket: str,
        key: str = "",
        *,
        query: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        url = urllib.parse.urlsplit(self.endpoint)
        host = url.netloc
        path = "/" + _quote(bucket)
        if key:
            path += "/" + _quote(key, safe="/")
        canonical_query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query))
        now = _dt.datetime.now(_dt.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        payload_hash = hashlib.sha256(body).hexdigest() if body else _EMPTY_SHA256
        all_headers = {
            "host": host,
            "x-amz-date": amz_date,
            "x-amz-content-sha256": payload_hash,
        }
        for name, value in (headers or {}).items():
            all_headers[name.lower()] = value
        signed = sorted(all_headers)
        canonical_request = "\n".join(
            [
                method,
                path,
                canonical_query,
                "".join(f"{h}:{all_headers[h].strip()}\n" for h in signed),
                ";".join(signed),
                payload_hash,
            ]
        )
        scope = f"{now:%Y%m%d}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                amz_date,
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        key_bytes = ("AWS4" + self.secret_key).encode()
        for part in (f"{now:%Y%m%d}", self.region, "s3", "aws4_request"):
            key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
        all_headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={';'.join(signed)}, Signature={signature}"
        )
        target = path + ("?" + canonical_query if canonical_query else "")
        connection_type = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = connection_type(host, timeout=self.timeout)
        try:
            connection.request(method, target, body=body or None, headers=all_headers)
            response = connection.getresponse()
            return Response(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    # The handful of operations the tooling needs.

    def create_bucket(self, bucket: str) -> None:
        response = self.request("PUT", bucket)
        if response.status not in (200, 409):
            raise RuntimeError(f"CreateBucket {bucket} failed: HTTP {response.status} {response.body[:300]!r}")

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        response = self.request("PUT", bucket, key, body=data)
        if response.status != 200:
            raise RuntimeError(f"PutObject {bucket}/{key} failed: HTTP {response.status} {response.body[:300]!r}")

    def get_object(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes, or None if it does not exist."""
        response = self.request("GET", bucket, key)
        if response.status == 404:
            return None
        if response.status != 200:
            raise RuntimeError(f"GetObject {bucket}/{key} failed: HTTP {response.status} {response.body[:300]!r}")
        return response.body

    def object_exists(self, bucket: str, key: str) -> bool:
        return self.request("HEAD", bucket, key).status == 200

    def delete_object(self, bucket: str, key: str) -> None:
        self.request("DELETE", bucket, key)
