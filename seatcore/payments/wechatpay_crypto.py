"""WeChat Pay API v3 signatures and resource decryption.

Three messages are signed with RSA-SHA256 (PKCS#1 v1.5), each line ending in ``\\n``:

- our requests, with the merchant private key: ``METHOD / PATH?QUERY / TIMESTAMP / NONCE / BODY``;
- WeChat's responses and callbacks, with the platform key: ``TIMESTAMP / NONCE / BODY``;
- the JSAPI ``paySign``, with the merchant private key: ``APPID / TIMESTAMP / NONCESTR / prepay_id=ID``.

Callback resources are AES-256-GCM encrypted with the merchant's 32-byte APIv3 key.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
FRESHNESS_WINDOW_S = 300
APIV3_KEY_BYTES = 32


class SignatureInvalid(Exception):
    """A signature, its headers or an encrypted resource failed a check; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    """The merchant's RSA private key (``apiclient_key.pem``)."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


def load_public_key(path: Path) -> rsa.RSAPublicKey:
    """WeChat Pay's public key, from a PEM public key or a platform certificate."""
    data = path.read_bytes()
    if b"BEGIN CERTIFICATE" in data:
        key: object = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"{path} does not hold an RSA public key")
    return key


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def request_message(method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{method}\n{path_with_query}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"


def response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def pay_sign_message(appid: str, timestamp: str, nonce: str, prepay_id: str) -> bytes:
    return f"{appid}\n{timestamp}\n{nonce}\nprepay_id={prepay_id}\n".encode()


def authorization(
    private_key: rsa.RSAPrivateKey,
    *,
    mchid: str,
    serial_no: str,
    method: str,
    path_with_query: str,
    body: bytes,
) -> str:
    """The ``Authorization`` header value for one request."""
    timestamp = str(int(time.time()))
    nonce = new_nonce()
    signature = sign(private_key, request_message(method, path_with_query, timestamp, nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


class PlatformVerifier:
    """Checks the ``Wechatpay-*`` headers of a response or callback against WeChat Pay's key."""

    def __init__(self, public_key: rsa.RSAPublicKey, serial: str) -> None:
        self._public_key = public_key
        self._serial = serial

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Returns if the body is signed by the platform key, fresh, and for the expected serial."""
        lowered = {name.lower(): value for name, value in headers.items()}
        timestamp = lowered.get("wechatpay-timestamp", "")
        nonce = lowered.get("wechatpay-nonce", "")
        signature = lowered.get("wechatpay-signature", "")
        serial = lowered.get("wechatpay-serial", "")
        if not (timestamp and nonce and signature and serial):
            raise SignatureInvalid("missing_signature_headers")
        if serial != self._serial:
            raise SignatureInvalid("unknown_serial")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > FRESHNESS_WINDOW_S:
            raise SignatureInvalid("stale_timestamp")
        try:
            raw_signature = base64.b64decode(signature, validate=True)
            self._public_key.verify(
                raw_signature,
                response_message(timestamp, nonce, body),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (binascii.Error, InvalidSignature):
            raise SignatureInvalid("bad_signature") from None


def decrypt_resource(apiv3_key: bytes, *, nonce: str, ciphertext: str, associated_data: str) -> bytes:
    """The plaintext of an ``AEAD_AES_256_GCM`` resource; the GCM tag proves it was not altered."""
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return AESGCM(apiv3_key).decrypt(nonce.encode(), data, associated_data.encode())
    except (binascii.Error, InvalidTag, ValueError):
        raise SignatureInvalid("undecryptable_resource") from None
