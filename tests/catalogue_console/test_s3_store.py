"""The S3 media store: SigV4 checked against AWS's published example, then a PUT to a tiny fake
S3 that verifies each request's signature before it keeps the object."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx
import pytest

from seatcore.errors import UpstreamUnavailable
from seatcore.media.s3 import S3MediaStore
from seatcore.media.sigv4 import EMPTY_SHA256, signed_headers

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_signature_matches_the_aws_example() -> None:
    # "Example: GET Object" of the S3 API reference's header-based SigV4 page.
    headers = signed_headers(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9"},
        payload_sha256=EMPTY_SHA256,
        access_key=AWS_KEY,
        secret_key=AWS_SECRET,
        region="us-east-1",
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


class FakeS3:
    """Keeps PUT objects whose signature verifies with the one secret it knows."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.objects: dict[str, tuple[str, bytes]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sent = {name: value for name, value in request.headers.items()}
        signed = sent["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
        if hashlib.sha256(request.content).hexdigest() != sent["x-amz-content-sha256"]:
            return httpx.Response(400, text="XAmzContentSHA256Mismatch")
        expected = signed_headers(
            request.method,
            str(request.url),
            {
                name: sent[name]
                for name in signed
                if name not in ("host", "x-amz-date", "x-amz-content-sha256")
            },
            payload_sha256=sent["x-amz-content-sha256"],
            access_key=AWS_KEY,
            secret_key=self.secret,
            region="us-east-1",
            now=datetime.strptime(sent["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC),
        )
        if expected["authorization"] != sent["authorization"]:
            return httpx.Response(403, text="SignatureDoesNotMatch")
        self.objects[request.url.path] = (sent["content-type"], request.content)
        return httpx.Response(200)


def store_for(fake: FakeS3, secret: str) -> S3MediaStore:
    return S3MediaStore(
        endpoint_url="http://minio.test:9000",
        bucket="media",
        region="us-east-1",
        access_key=AWS_KEY,
        secret_key=secret,
        public_url="https://cdn.test/media",
        transport=httpx.MockTransport(fake),
    )


async def test_a_signed_put_lands_in_the_bucket() -> None:
    fake = FakeS3(AWS_SECRET)
    store = store_for(fake, AWS_SECRET)
    try:
        url = await store.put("posters/7/abc-detail.jpg", b"\xff\xd8jpeg bytes", "image/jpeg")
    finally:
        await store.aclose()
    assert url == "https://cdn.test/media/posters/7/abc-detail.jpg"
    assert fake.objects["/media/posters/7/abc-detail.jpg"] == ("image/jpeg", b"\xff\xd8jpeg bytes")


async def test_a_wrong_secret_is_refused_and_reported() -> None:
    """The control: the fake does verify, so the test above would catch a bad signature."""
    fake = FakeS3(AWS_SECRET)
    store = store_for(fake, "not-the-secret")
    try:
        with pytest.raises(UpstreamUnavailable):
            await store.put("posters/7/abc-detail.jpg", b"data", "image/jpeg")
    finally:
        await store.aclose()
    assert fake.objects == {}
