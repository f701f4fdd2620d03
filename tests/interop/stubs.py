"""Python stubs generated from proto/ at import time (grpcio-tools), for the independent-client
tests. Importing this module makes `overdue.v1`, `google.rpc` and `grpc_health.v1` importable."""

import pathlib
import sys
import tempfile

from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]


def generate_stubs(out: pathlib.Path) -> None:
    files = ["overdue/v1/common.proto", "overdue/v1/lookup.proto", "overdue/v1/members.proto",
             "overdue/v1/operator.proto"]
    # google/rpc/status.proto comes from googleapis-common-protos (so error details such as
    # google.rpc.BadRequest decode without two copies of one descriptor) and the health service
    # from grpcio-health-checking (a generated `grpc` package would shadow grpcio's).
    args = ["protoc", f"-I{ROOT / 'proto'}", f"-I{pathlib.Path(protoc.__file__).parent / '_proto'}",
            f"--python_out={out}", f"--grpc_python_out={out}", *files]
    assert protoc.main(args) == 0, "protoc failed"


STUBS = pathlib.Path(tempfile.mkdtemp(prefix="overdue-stubs-"))
generate_stubs(STUBS)
sys.path.insert(0, str(STUBS))

from google.rpc import error_details_pb2, status_pb2  # noqa: E402,F401
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402,F401
from overdue.v1 import common_pb2, lookup_pb2, lookup_pb2_grpc  # noqa: E402,F401
from overdue.v1 import members_pb2, members_pb2_grpc, operator_pb2, operator_pb2_grpc  # noqa: E402,F401
