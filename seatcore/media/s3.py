"""Media in an S3-compatible bucket through its REST API: one signed PUT per file (path-style
URLs, so MinIO and the like work without DNS per bucket). The pages load the files from
``s3_public_url`` (the bucket's public address or a CDN in front of it)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from seatcore.errors import UpstreamUnavailable
from seatcore.media.sigv4 import signed_headers
from seatcore.settings import Settings

TIMEOUT_S = 15.0


class S3MediaStore:
    def __init__(
        self,
        *,
        endpoint_url: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        public_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.public_url = public_url.rstrip("/")
        self.client = httpx.AsyncClient(timeout=TIMEOUT_S, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3MediaStore:
        return cls(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key=settings.s3_access_key_id,
            secret_key=settings.s3_secret_access_key,
            public_url=settings.s3_public_url
            or f"{settings.s3_endpoint_url.rstrip('/')}/{settings.s3_bucket}",
        )

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        path = quote(key, safe="/-_.~")
        url = f"{self.endpoint_url}/{self.bucket}/{path}"
        headers = signed_headers(
            "PUT",
            url,
            {"content-type": content_type, "cache-control": "public, max-age=31536000, immutable"},
            payload_sha256=hashlib.sha256(data).hexdigest(),
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            now=datetime.now(UTC),
        )
        headers.pop("host")  # httpx sends it from the URL, the same value
        try:
            response = await self.client.put(url, content=data, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable("the media store did not answer", reason=type(exc).__name__) from None
        if response.status_code != 200:
            raise UpstreamUnavailable("the media store refused the file", status=response.status_code)
        return f"{self.public_url}/{path}"

    async def aclose(self) -> None:
        await self.client.aclose()
