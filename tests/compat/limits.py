"""What each server of the matrix is known not to do, with the reason: the
server's own documentation or behaviour, never a blanket skip. Keys are
checks as pytest names them within tests/compat (file::test[params])."""

from __future__ import annotations

SERVER_VAR = "S3CONN_COMPAT_SERVER"

SWIFT_CHECKSUMS = (
    "Swift 2.30's s3api validates CompleteMultipartUpload against a schema whose Part holds only PartNumber "
    "and ETag (s3api/schema/complete_multipart_upload.rng), so the part checksums of upload_checksums=True "
    "are MalformedXML; the error says to set upload_checksums=False, and single-request uploads with "
    "checksums pass"
)

LIMITS: dict[str, dict[str, str]] = {
    "seaweedfs": {},
    "moto": {
        "test_errors.py::test_bad_credentials": (
            "moto's server accepts any access key and checks no signature unless its IAM emulation is switched "
            "on (INITIAL_NO_AUTH_ACTION_COUNT, moto's 'IAM-like Access Control' docs)"
        ),
    },
    "ceph": {},
    "swift": {
        "test_objects.py::test_write[part+1-checksums]": SWIFT_CHECKSUMS,
        "test_objects.py::test_write[3parts-checksums]": SWIFT_CHECKSUMS,
    },
    "localstack": {
        "test_errors.py::test_bad_credentials": (
            "LocalStack accepts any access key unless IAM enforcement is on (ENFORCE_IAM, a feature of its paid "
            "edition; its docs: 'IAM Policy Enforcement')"
        ),
    },
    "s3rver": {
        "test_listing.py::test_delimiter": (
            "s3rver 3.7.1's file-system store prunes folders below a common prefix before it has seen an object "
            "in them (lib/stores/filesystem.js, the walk filter), so `d2/` of a lone key `d2/x/y` is never listed"
        ),
    },
}


def limits_of(server: str) -> dict[str, str]:
    return LIMITS.get(server, {})
