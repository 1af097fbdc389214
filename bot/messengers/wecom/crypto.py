"""WeCom callback signatures and AES decryption (WXBizMsgCrypt).

The signature is checked first, in constant time, and only then is the ciphertext touched.
Decryption itself is wechatpy's ``WeChatCrypto`` (AES-256-CBC, PKCS#7 on 32-byte blocks,
receive id = our CorpID), imported on the first callback, not at start: wechatpy pulls in
``requests``, which cost every process ~0.1–0.2 s of start-up for this alone. Every failure raises ``CallbackRejected`` whose ``reason`` is for
the log only: callers answer all rejections alike, so nothing tells a prober which check failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

AES_KEY_LENGTH = 43
# Ciphertext is whole 32-byte PKCS#7 blocks; the smallest plaintext is 16 random bytes + length.
_BLOCK = 32


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


class WeComCrypto:
    """Verifies and decrypts callbacks of one self-built app (token, EncodingAESKey, CorpID)."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        if len(aes_key) != AES_KEY_LENGTH:
            raise ValueError("EncodingAESKey must be 43 characters")
        self.token = token
        self.corp_id = corp_id
        self.aes_key = aes_key
        self._wechat: Any = None

    def _crypto(self) -> Any:
        """wechatpy's AES of our key, made once: each ``WeChatCrypto.check_signature`` would build
        a new ``PrpCrypto`` (and its cipher) and compare the signature again, not in constant time."""
        if self._wechat is None:
            from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto  # noqa: PLC0415 - see the docstring

            self._wechat = PrpCrypto(WeChatCrypto(self.token, self.aes_key, self.corp_id).key)
        return self._wechat

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
        from wechatpy.enterprise.exceptions import InvalidCorpIdException  # noqa: PLC0415

        crypto = self._crypto()
        try:
            # The signature passed above; this decrypts and checks the receive id (our CorpID).
            plaintext: str = crypto.decrypt(encrypt, self.corp_id)
        except InvalidCorpIdException:
            raise CallbackRejected("receive id is not our CorpID") from None
        except Exception as exc:  # any garbage: padding, length field, encoding
            raise CallbackRejected(f"undecryptable ciphertext ({type(exc).__name__})") from None
        return plaintext
