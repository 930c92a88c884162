"""The supervisor's login password scheme.

Source: Seeed-Studio/sscma-example-sg200x, solutions/supervisor/www/src/utils/index.ts
(``encryptPassword``: CryptoJS AES, mode ECB, ``pad.ZeroPadding``, key "zqCwT7H7!rNdP3wL", output
hex of the ciphertext) and the device side in solutions/supervisor/main/include/api_user.h
(``KEY_AES_128`` is the same 16-byte string; ``aes_decrypt`` strips trailing NUL bytes). The key is
public (it ships in the web page), so this is obfuscation on the wire, not secrecy: the password is
still never logged or written to disk by the wizard.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Verified in both the web client (www/src/utils/index.ts) and the server (api_user.h).
SUPERVISOR_AES_KEY = b"zqCwT7H7!rNdP3wL"
_BLOCK = 16


def zero_pad(data: bytes) -> bytes:
    """CryptoJS ZeroPadding: pad with NUL to a whole block; nothing added to a full block.

    (The C++ side pads a full block with one more zero block when it encrypts, but it strips the
    NULs when it decrypts, so both lengths are accepted.)
    """
    remainder = len(data) % _BLOCK
    if remainder == 0 and data:
        return data
    return data + b"\0" * (_BLOCK - remainder)


def encrypt_password(password: str, key: bytes = SUPERVISOR_AES_KEY) -> str:
    """Hex of AES-128-ECB(zero-padded UTF-8 password), as the web UI sends it."""
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return (encryptor.update(zero_pad(password.encode("utf-8"))) + encryptor.finalize()).hex()


def decrypt_password(hex_text: str, key: bytes = SUPERVISOR_AES_KEY) -> str:
    """The device's view of :func:`encrypt_password` (used by the simulator to check the scheme)."""
    data = bytes.fromhex(hex_text)
    if len(data) % _BLOCK:
        raise ValueError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    return (decryptor.update(data) + decryptor.finalize()).rstrip(b"\0").decode("utf-8")
