"""The TLS certificate the Storage Read API's gRPC server presents on this machine.

Google's clients (google-cloud-bigquery-storage, and bigframes and ibis through it) open only
secure gRPC channels, so the local server must speak TLS. `ensure` makes, once, a self-signed
certificate for 127.0.0.1 and localhost under the var dir; clients trust it by pointing gRPC at
it (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, docs/storage-read.md). Used by `manage.py serve` (to print
where it is) and by the gRPC server (to present it), so both name the same files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Long enough never to lapse under a developer; the key never leaves the machine.
VALIDITY = dt.timedelta(days=3650)
HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path

    def read(self) -> tuple[bytes, bytes]:
        """Return (PEM certificate, PEM private key)."""
        return self.cert_path.read_bytes(), self.key_path.read_bytes()


def ensure(directory: Path) -> Certificate:
    """Return the certificate kept in directory, making it first if it is not there yet."""
    found = Certificate(directory / "cert.pem", directory / "key.pem")
    if found.cert_path.exists() and found.key_path.exists():
        return found
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quarry on this machine")])
    now = dt.datetime.now(dt.UTC)
    alternative_names = [x509.DNSName(host) for host in HOSTS] + [
        x509.IPAddress(ipaddress.ip_address(address)) for address in ADDRESSES
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        # Its own CA: clients trust this one certificate as a root, nothing it could sign.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # The key first: a certificate on disk always has its key beside it.
    _write_atomically(found.key_path, key_pem, 0o600)
    _write_atomically(found.cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return found


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write data to path through a temporary file in its directory, created with mode."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
