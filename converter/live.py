"""Live buckets: an INPUT `s3://BUCKET` reads the bucket's replication configuration and versioning through boto3.

boto3 is an optional extra (`pip install 's3repl[aws]'`), imported only when an s3:// input is read. The standard AWS
configuration applies (--profile, --region, AWS_* environment variables, AWS_ENDPOINT_URL, the config files):
https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html
"""

from __future__ import annotations

from functools import cache

from .errors import InputError, Refusal, UsageError, error

SCHEME = "s3://"
INSTALL = "pip install 's3repl[aws]'"
# ClientError codes and what they mean to the user (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
REJECTED = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "UnrecognizedClientException",
            "InvalidClientTokenId", "AuthFailure"}
DENIED = {"AccessDenied", "AccessDeniedException", "AllAccessDisabled", "Forbidden", "403"}
MISSING = {"NoSuchBucket", "404", "NotFound"}
NO_REPLICATION = {"ReplicationConfigurationNotFoundError"}
# botocore's standard retry mode retries these; when they still come back, S3 is asking to slow down.
THROTTLED = {"SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
             "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "503"}


def is_live(path: object) -> bool:
    """Whether a command-line INPUT names a live bucket (s3://BUCKET)."""
    return isinstance(path, str) and path[:len(SCHEME)].lower() == SCHEME


def bucket_of(uri: str) -> str:
    """The bucket an s3:// INPUT names; an object key or an empty name is refused."""
    name = uri[len(SCHEME):].rstrip("/")
    if not name or "/" in name:
        raise UsageError(error("usage", f"{uri!r} does not name a bucket" if not name else
                               f"{uri!r} names an object; s3repl reads a bucket's replication configuration",
                               file=uri, hint="write s3://BUCKET"))
    return name


def _client(context, uri: str):
    """An S3 client from the standard AWS configuration, with --profile and --region, and standard retries."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UsageError(error("needs-boto3", "reading s3:// inputs needs boto3, which is not installed",
                               file=uri, hint=INSTALL)) from None
    import botocore.exceptions as bx

    try:
        session = boto3.Session(profile_name=getattr(context, "profile", None) or None,
                                region_name=getattr(context, "region", None) or None)
        # standard mode retries throttling and transient errors with backoff; AWS_MAX_ATTEMPTS still sets how often
        # (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
        return session.client("s3", config=Config(retries={"mode": "standard"}, user_agent_extra="s3repl"))
    except bx.BotoCoreError as exc:
        raise _failure(exc, "", uri, "connecting") from None


def _failure(exc, bucket: str, uri: str, action: str):
    """Our error for what boto3 raised while reading a bucket: one line, what happened and what to do."""
    import botocore.exceptions as bx

    where = {"file": uri}
    if isinstance(exc, bx.NoCredentialsError):
        return InputError(error("no-credentials", "no AWS credentials found", **where,
                                hint="configure them (aws configure, aws sso login), or pass --profile NAME"))
    if isinstance(exc, bx.ProfileNotFound):
        return InputError(error("no-profile", str(exc), **where, hint="check --profile or AWS_PROFILE against ~/.aws/config"))
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return InputError(error("unreachable", f"cannot reach S3 at {url}" if url else "cannot reach S3", **where,
                                hint="check the network, --region and AWS_ENDPOINT_URL"))
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError)):
        return InputError(error("expired-token", "the AWS session token has expired or cannot be loaded", **where,
                                hint="refresh the credentials (aws sso login) and run again"))
    if isinstance(exc, bx.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = exc.response.get("Error", {}).get("Message") or code
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if code in NO_REPLICATION:
            return Refusal(error("no-replication", f"bucket {bucket} has no replication configuration", **where,
                                 hint="nothing to read; put one first, or check the bucket name"))
        if code in MISSING:
            return InputError(error("no-such-bucket", f"no such bucket: {bucket}", **where,
                                    hint="check the name, and --profile if it is another account's bucket"))
        if code in EXPIRED:
            return InputError(error("expired-token", "the AWS session token has expired", **where,
                                    hint="refresh the credentials (aws sso login, or a new session) and run again"))
        if code in REJECTED:
            return InputError(error("bad-credentials", f"AWS rejected the credentials ({code})", **where,
                                    hint="check the access key and secret, or pass --profile NAME"))
        if code in DENIED:
            return InputError(error("access-denied", f"access denied to {action} on bucket {bucket}", **where,
                                    hint=f"the credentials need s3:{_permission(action)} on arn:aws:s3:::{bucket}"))
        if code in THROTTLED:
            return InputError(error("throttled", f"S3 is throttling requests ({code}) after {attempts + 1} attempts",
                                    **where, hint="run again later, or raise AWS_MAX_ATTEMPTS"))
        return InputError(error("aws-error", f"{action} failed: {code}: {message}", **where))
    return InputError(error("aws-error", f"{action} failed: {' '.join(str(exc).split())}", **where))


def _permission(action: str) -> str:
    """The IAM action of an API operation (GetBucketReplication is allowed by s3:GetReplicationConfiguration)."""
    return {"GetBucketReplication": "GetReplicationConfiguration", "GetBucketVersioning": "GetBucketVersioning"}[action]


def _call(client, action: str, bucket: str, uri: str):
    import botocore.exceptions as bx

    try:
        return getattr(client, {"GetBucketReplication": "get_bucket_replication",
                                "GetBucketVersioning": "get_bucket_versioning"}[action])(Bucket=bucket)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise _failure(exc, bucket, uri, action) from None


def _bucket_name(value) -> str | None:
    """A bucket's name from a name or an S3 bucket ARN (arn:PARTITION:s3:::NAME); None for anything else."""
    if not isinstance(value, str):
        return None
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        return parts[5] if len(parts) == 6 and parts[2] == "s3" and "/" not in parts[5] else None
    return value


def read_located(uri: str, context=None) -> list:
    """The replication configuration of a live bucket, as one Located: named after the bucket, with its versioning
    and its destinations' (where the credentials can read them; unknown otherwise)."""
    from . import Located
    from .formats import cli_json
    from .grammar import to_model
    from .model import ReplicationConfig

    bucket = bucket_of(uri)
    client = _client(context, uri)
    answer = _call(client, "GetBucketReplication", bucket, uri)
    # botocore parses the XML into the CLI-JSON dict; the cli-json reader's mapping makes the model of it.
    try:
        config = to_model(answer["ReplicationConfiguration"], ReplicationConfig, cli_json.GRAMMAR)
    except InputError as exc:
        raise exc.located(file=uri) from None
    config = config.model_copy(update={"bucket": bucket, "origin": uri})

    @cache
    def status(name: str) -> bool | None:
        import botocore.exceptions as bx

        try:
            return client.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
        except (bx.BotoCoreError, bx.ClientError):
            return None  # another account's bucket, or no permission: unknown, not a finding

    def versioned(value) -> bool | None:
        name = _bucket_name(value)
        return status(name) if name else None

    return [Located(config, uri, lambda loc: None, versioned)]


def bindings(code: list, live: list) -> dict[str, str]:
    """--var values that make references in the code to a live bucket's resource resolve to it.

    A configuration in code whose source bucket is a reference (aws_s3_bucket.src.id, !Ref Src) and a live one for
    the same pair: that resource's name and ARN are the live bucket's, wherever else the code refers to them.
    """
    from .values import Ref

    out: dict[str, str] = {}
    for config in code:
        ref = config.bucket
        target = next((c for c in live if len(live) == 1 or c.bucket == _default(ref)), None)
        if not isinstance(ref, Ref) or ref.kind != "resource" or target is None:
            continue
        name, arn = target.bucket, f"arn:aws:s3:::{target.bucket}"
        if ref.resource_type == "AWS::S3::Bucket" or ref.attribute in (None, "Arn", "DomainName"):  # CloudFormation
            out.update({ref.target: name, f"{ref.target}.Arn": arn})
        else:
            out.update({f"{ref.target}.{attribute}": name for attribute in ("id", "bucket")})
            out[f"{ref.target}.arn"] = arn
    return out


def _default(ref) -> str | None:
    from .values import resolve

    value = resolve(ref, {}) if ref is not None else None
    return value if isinstance(value, str) else None
