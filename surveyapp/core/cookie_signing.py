"""The session cookie's signing, made once per process instead of twice per request.

Flask's ``SecureCookieSessionInterface`` builds a new ``URLSafeTimedSerializer`` each
time it opens or saves a session, and itsdangerous derives the signing key (an HMAC of
the secret and the salt) again for every signature it makes or checks. Neither depends
on the request: this interface keeps one serializer per set of keys (the secret key and
``SECRET_KEY_FALLBACKS``; changing either makes a new one), whose signers remember
their derived keys. The cookie's format, salt, digest and key rotation are Flask's,
unchanged (tests/test_staff_sessions.py and the sign-in tests use real cookies).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class _KeyRememberingSigner(TimestampSigner):
    """A signer that derives each of its keys once (itsdangerous does it per call)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = secret_key.encode() if isinstance(secret_key, str) else secret_key
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(secret_key)
        return derived


class _SignerKeepingSerializer(URLSafeTimedSerializer):
    """Makes its signer once: a signer depends only on the keys and the salt, fixed here."""

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        signer = self.__dict__.get("_signer")
        if signer is None:
            signer = self.__dict__["_signer"] = super().make_signer(salt)
        return signer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._kept: tuple[tuple[Any, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        kept = self._kept
        if kept is not None and kept[0] == keys:
            return kept[1]
        serializer = _SignerKeepingSerializer(
            list(keys),  # itsdangerous expects the current key last
            salt=self.salt,
            serializer=self.serializer,
            signer=_KeyRememberingSigner,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
        self._kept = (keys, serializer)
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = KeptSerializerSessionInterface()
