"""A software passkey authenticator for service tests: makes the same attestation ("none")
and assertion bytes a phone's authenticator sends, so the server's checks run unchanged."""
from __future__ import annotations

import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)


class SoftAuthenticator:
    def __init__(self, rp_id: str = "localhost", origin: str = "http://localhost:8501",
                 synced: bool = False):
        self.rp_id, self.origin, self.synced = rp_id, origin, synced
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle: str | None = None
        self.count = 0

    def _flags(self, uv: bool, attested: bool = False) -> int:
        return (UP | (UV if uv else 0) | (BE | BS if self.synced else 0)
                | (AT if attested else 0))

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()

    def create(self, options: dict, *, origin: str | None = None, rp_id: str | None = None,
               uv: bool = True) -> dict:
        self.user_handle = options["user"]["id"]
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest()
                     + bytes([self._flags(uv, attested=True)]) + self.count.to_bytes(4, "big")
                     + bytes(16) + len(self.credential_id).to_bytes(2, "big")
                     + self.credential_id + self._cose_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": _b64(self.credential_id), "rawId": _b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": _b64(client_data),
                             "attestationObject": _b64(attestation),
                             "transports": ["internal"]}}

    def get(self, options: dict, *, origin: str | None = None, rp_id: str | None = None,
            uv: bool = True, count: int | None = None) -> dict:
        self.count = self.count + 1 if count is None else count
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest()
                     + bytes([self._flags(uv)]) + self.count.to_bytes(4, "big"))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return {"id": _b64(self.credential_id), "rawId": _b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": _b64(client_data),
                             "authenticatorData": _b64(auth_data),
                             "signature": _b64(signature), "userHandle": self.user_handle}}
