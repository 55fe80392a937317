"""A local S3 endpoint for the provider oracle: moto's server app behind a thin WSGI layer that keeps replication truthful.

moto answers GetBucketReplication lossily (every rule comes back with ``Filter.Prefix ""``, DeleteMarkerReplication
Disabled, no SourceSelectionCriteria), so this layer

* records every PutBucketReplication body, per bucket and in order (``Emulator.puts``), and
* answers ``GET /<bucket>?replication`` with the body last PUT, as S3 does, so that ``terraform plan`` and
  ``import`` read back the truth; ``DELETE /<bucket>?replication`` (and deleting the bucket) forgets it.

Everything else (buckets, versioning, IAM roles, STS) is moto's. Path-style requests only
(``s3_use_path_style = true`` in the provider, ``addressing_style: path`` in boto3).

Use it through the session-scoped ``s3_emulator`` fixture in tests/conftest.py::

    def test_x(s3_emulator):
        s3 = boto3.client("s3", endpoint_url=s3_emulator.endpoint, ...)   # see Emulator.client
        ...
        assert s3_emulator.puts("my-bucket")[-1] == {"Role": ..., "Rules": [...]}
"""

from __future__ import annotations

import io
import threading
import urllib.request
from urllib.parse import parse_qs, unquote

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def parse_replication(body: bytes) -> dict:
    """The CLI-JSON dict (Role, Rules) botocore's rest-xml parser reads from a ReplicationConfiguration body."""
    import botocore.parsers
    import botocore.session

    shape = botocore.session.get_session().get_service_model("s3").operation_model("GetBucketReplication").output_shape
    parsed = botocore.parsers.create_parser("rest-xml").parse({"body": body, "headers": {}, "status_code": 200}, shape)
    return parsed["ReplicationConfiguration"]


def _decode_chunked(body: bytes) -> bytes:
    """The payload of an aws-chunked body (``<hex size>[;chunk-signature=..]\\r\\n<data>\\r\\n`` ... trailers)."""
    out, rest = b"", body
    while rest:
        header, _, rest = rest.partition(b"\r\n")
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


class ReplicationLayer:
    """WSGI middleware: records replication PUTs and answers replication GETs from them; the rest goes to ``app``."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.bodies: dict[str, list[bytes]] = {}  # every PUT body, per bucket, in order
        self.current: dict[str, bytes] = {}  # what S3 would answer now

    def reset(self) -> None:
        """Forget every recorded PUT and stored configuration."""
        with self.lock:
            self.bodies.clear()
            self.current.clear()

    def __call__(self, environ, start_response):
        path = unquote(environ.get("PATH_INFO", "")).strip("/")
        bucket = path if path and "/" not in path else None  # /<bucket>, not /<bucket>/<key>
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        method = environ["REQUEST_METHOD"]
        if bucket and "replication" in query:
            if method == "PUT":
                body = self._body(environ)
                with self.lock:
                    self.bodies.setdefault(bucket, []).append(body)
                    self.current[bucket] = body
            elif method == "GET":
                with self.lock:
                    body = self.current.get(bucket)
                if body is not None:
                    start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                    return [body]
            elif method == "DELETE":
                with self.lock:
                    self.current.pop(bucket, None)
        elif bucket and method == "DELETE" and not query:  # DeleteBucket
            with self.lock:
                self.current.pop(bucket, None)
        return self.app(environ, start_response)

    @staticmethod
    def _body(environ) -> bytes:
        """Read the request body and put it back for moto; aws-chunked bodies are recorded decoded."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        chunked = "aws-chunked" in environ.get("HTTP_CONTENT_ENCODING", "") or \
            environ.get("HTTP_X_AMZ_CONTENT_SHA256", "").startswith("STREAMING-")
        return _decode_chunked(body) if chunked else body


class Emulator:
    """A running emulator: ``endpoint`` (http://127.0.0.1:PORT), ``puts(bucket)``, ``reset()``, ``client()``."""

    def __init__(self):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self.layer = ReplicationLayer(DomainDispatcherApplication(create_backend_app))
        class Quiet(MotoRequestHandler):
            def log_request(self, *args, **kwargs):  # terraform makes hundreds of requests; pytest output stays readable
                pass

        self._server = make_server("127.0.0.1", 0, self.layer, threaded=True, request_handler=Quiet)
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3-emulator", daemon=True)

    def start(self) -> Emulator:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def puts(self, bucket: str) -> list[dict]:
        """Every PutBucketReplication body sent for bucket, in order, as CLI-JSON dicts (botocore's reading)."""
        with self.layer.lock:
            bodies = list(self.layer.bodies.get(bucket, []))
        return [parse_replication(body) for body in bodies]

    def raw_puts(self, bucket: str) -> list[bytes]:
        """Every PutBucketReplication body sent for bucket, as the bytes received."""
        with self.layer.lock:
            return list(self.layer.bodies.get(bucket, []))

    def reset(self) -> None:
        """Empty moto (buckets, roles) and forget every recorded PUT."""
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")).read()
        self.layer.reset()

    def client(self, service: str = "s3"):
        """A boto3 client for service pointed at the emulator (path-style, fake credentials)."""
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            config=Config(s3={"addressing_style": "path"}), **CREDENTIALS)
