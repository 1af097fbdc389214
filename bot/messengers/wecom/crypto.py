"""WeCom callback signatures and AES decryption (WXBizMsgCrypt).

The signature is checked first, in constant time, and only then is the ciphertext touched.
Decryption follows WeCom's WXBizMsgCrypt: AES-256-CBC with the EncodingAESKey (IV = its first 16
bytes), PKCS#7 padding on 32-byte blocks, then 16 random bytes, a 4-byte big-endian length, the
message and the receive id (= our CorpID). It uses ``cryptography`` directly, imported on first
use: wechatpy (which pulls in ``requests``) cost every process ~0.1–0.2 s at start for this alone.
Every failure raises ``CallbackRejected`` whose ``reason`` is for the log only: callers answer
all rejections alike, so nothing tells a prober which check failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

AES_KEY_LENGTH = 43
# Ciphertext is whole 32-byte PKCS#7 blocks; the smallest plaintext is 16 random bytes + length.
_BLOCK = 32
_RANDOM = 16
_LENGTH = 4


class CallbackRejected(Exception):
    """A callback failed a check. ``reason`` names the check, for logs only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """``sha1`` of the four strings sorted lexicographically and joined without separator."""
    joined = "".join(sorted([token, timestamp, nonce, encrypt])).encode()
    # WeCom's callback signature is SHA-1 by its protocol: not ours to choose (bandit B324 / ruff S324).
    return hashlib.sha1(joined).hexdigest()  # noqa: S324  # nosec B324


def _aes_cbc_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    # Imported here: only the web process decrypts, and only once a callback comes.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: PLC0415

    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def _unframe(padded: bytes) -> tuple[str, str]:
    """(message, receive id) of a decrypted frame; ``CallbackRejected`` when it is malformed."""
    pad = padded[-1]
    if not 1 <= pad <= _BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise CallbackRejected("undecryptable ciphertext (padding)")
    content = padded[_RANDOM:-pad]
    if len(content) < _LENGTH:
        raise CallbackRejected("undecryptable ciphertext (too short)")
    length = int.from_bytes(content[:_LENGTH], "big")
    if length > len(content) - _LENGTH:
        raise CallbackRejected("undecryptable ciphertext (length field)")
    body = content[_LENGTH : _LENGTH + length]
    try:
        return body.decode(), content[_LENGTH + length :].decode()
    except UnicodeDecodeError:
        raise CallbackRejected("undecryptable ciphertext (encoding)") from None


class WeComCrypto:
    """Verifies and decrypts callbacks of one self-built app (token, EncodingAESKey, CorpID)."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        if len(aes_key) != AES_KEY_LENGTH:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(aes_key + "=", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("EncodingAESKey is not base64") from None
        if len(self.key) != _BLOCK:  # pragma: no cover - 43 base64 characters are always 32 bytes
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self.token = token
        self.corp_id = corp_id

    def check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), msg_signature.encode()):
            raise CallbackRejected("bad signature")

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """The plaintext of ``encrypt`` once its signature and receive id check out."""
        self.check_signature(msg_signature, timestamp, nonce, encrypt)
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise CallbackRejected("ciphertext is not base64") from None
        if not raw or len(raw) % _BLOCK:
            raise CallbackRejected("ciphertext is not whole 32-byte blocks")
        message, receive_id = _unframe(_aes_cbc_decrypt(self.key, raw))
        if not hmac.compare_digest(receive_id.encode(), self.corp_id.encode()):
            raise CallbackRejected("receive id is not our CorpID")
        return message
