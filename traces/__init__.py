"""The trace record: schema, recorder, verification, viewer and OTLP export."""

from traces.recorder import TraceRecorder
from traces.redaction import redact_secrets
from traces.schema import GENESIS_HASH, RecordKind, TraceError, TraceRecord
from traces.verify import VerifyResult, last_hash, verify_trace

__all__ = [
    "GENESIS_HASH",
    "RecordKind",
    "TraceError",
    "TraceRecord",
    "TraceRecorder",
    "VerifyResult",
    "last_hash",
    "redact_secrets",
    "verify_trace",
]
