"""Independent checks of the gateway's OpenAPI document and of a running gateway against it.

validate SPEC_PATH
       validate an OpenAPI 3.1 document with openapi-spec-validator; print "valid" and exit 0, or
       print every validation error and exit 1
fuzz SPEC_PATH BASE_URL [--max-examples N] [--checks LIST] [--request-timeout S] [--report-dir DIR]
       run schemathesis against the server at BASE_URL (only there: the document's `servers` are
       ignored, redirects are not followed, proxies are not used) with the document at SPEC_PATH:
       no 5xx, every status code, content type, header and body as documented, 405 with `Allow` for
       undocumented methods, invalid requests refused with 4xx. Deterministic (derandomized, one
       worker), N generated cases per operation (default 30) besides the coverage phase's boundary
       cases. Print each failure (operation, check, status, a curl reproduction) and a one-line
       summary; exit 0 when no check failed, 1 otherwise.

The bodies of application/jose and application/vc+jwt (compact JWS/JWE) are sent and read as
text, like text/plain; application/jose+json and application/problem+json as JSON. Schemathesis
loads this file as its hooks module (SCHEMATHESIS_HOOKS) to learn that.
"""
import argparse
import base64
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

# Checks for a server whose every response is documented. Left out: positive_data_acceptance (an
# envelope that is a schema-valid string is still refused unless it is a real signed envelope),
# and the stateful or authorization checks (the document has no links and no security schemes).
DEFAULT_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
)
NEGATIVE_DATA_REJECTION_STATUSES = [
    "400", "401", "403", "404", "405", "406", "408", "409", "413", "415", "422", "428", "429", "5xx",
]
TEXT_MEDIA_TYPES = ("application/jose", "application/vc+jwt")
JSON_MEDIA_TYPES = ("application/jose+json", "application/problem+json")
REQUEST_LOG_ENV = "OPENAPI_CHECK_REQUEST_LOG"


# validate


def load_document(path):
    """The document at `path`: JSON, or YAML when the file name does not end in .json."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".json"):
        return json.loads(text)
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def validate(spec_path):
    from jsonschema_path.handlers.urllib import UrllibHandler
    from openapi_spec_validator import OpenAPIV31SpecValidator

    class LocalValidator(OpenAPIV31SpecValidator):
        # References resolve within the file system only: a remote $ref is an error, not a download.
        resolver_handlers = {"file": UrllibHandler("file")}

    try:
        document = load_document(spec_path)
    except (OSError, ValueError) as error:
        print(f"cannot read {spec_path}: {error}")
        return 1
    if not isinstance(document, dict):
        print(f"{spec_path} is not an OpenAPI document (not an object)")
        return 1
    version = document.get("openapi")
    if not (isinstance(version, str) and version.startswith("3.1.")):
        print(f"$.openapi: {version!r} is not an OpenAPI 3.1 version")
        return 1
    errors = []
    try:
        validator = LocalValidator(document, base_uri=Path(spec_path).resolve().as_uri())
        for error in validator.iter_errors():
            message = str(error.message).strip().splitlines()[0]
            errors.append(f"{error.json_path}: {message}" if error.absolute_path else message)
    except Exception as error:  # an unresolvable $ref and the like stop the validator
        errors.append(f"{type(error).__name__}: {error}")
    if errors:
        for error in errors:
            print(error)
        return 1
    print("valid")
    return 0


# fuzz


def run_schemathesis(spec_path, base_url, args, work):
    """Runs `schemathesis run` in `work` (its caches and reports stay there); returns its exit code."""
    command = [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(work / "schemathesis.toml"),
        "--no-color",
        "run", str(Path(spec_path).resolve()),
        "--url", base_url,
        "--checks", ",".join(args.checks),
        "--max-examples", str(args.max_examples),
        "--generation-deterministic",
        "--workers", "1",
        "--max-redirects", "0",
        "--request-timeout", str(args.request_timeout),
        "--report", "ndjson,json",
        "--report-dir", str(work),
        "--report-ndjson-path", str(work / "events.ndjson"),
        "--report-json-path", str(work / "report.json"),
    ]
    # Its own configuration, so that no schemathesis.toml of a parent directory applies. An invalid
    # request may also be refused as too large or too slow (413 and 408 are documented).
    (work / "schemathesis.toml").write_text(
        "[checks.negative_data_rejection]\n"
        f"expected-statuses = {json.dumps(NEGATIVE_DATA_REJECTION_STATUSES)}\n"
    )
    environment = {
        name: value for name, value in os.environ.items()
        if not name.upper().startswith(("SCHEMATHESIS_", "HYPOTHESIS_"))
        and name.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }
    environment.update(
        SCHEMATHESIS_HOOKS=str(Path(__file__).resolve()),
        HYPOTHESIS_STORAGE_DIRECTORY=str(work / ".hypothesis"),
        NO_PROXY="*",
        NO_COLOR="1",
        COLUMNS="120",
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",  # nothing written next to this file
        **{REQUEST_LOG_ENV: str(work / "requests.ndjson")},
    )
    with open(work / "schemathesis.log", "wb") as log:
        return subprocess.run(command, cwd=work, env=environment, stdin=subprocess.DEVNULL,
                              stdout=log, stderr=subprocess.STDOUT).returncode


def curl_command(request):
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            parts += ["-H", f"{name}: {value}" if value != "" else f"{name};"]
    body = request.get("body")
    if isinstance(body, dict) and "$base64" in body:
        body = base64.b64decode(body["$base64"])
    elif isinstance(body, str):
        body = body.encode("utf-8")
    note = ""
    if body:
        text = body.decode("utf-8", "replace")
        if len(body) <= 160 and text.isprintable():
            parts += ["--data-binary", text]
        else:
            parts += ["--data-binary", "@body"]
            note = f"  # body: {len(body)} bytes, starting {body[:48]!r}"
    return " ".join(shlex.quote(part) for part in parts + [request.get("uri", "")]) + note


def read_events(path):
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events


def body_excerpt(content, limit=200):
    if isinstance(content, dict) and "$base64" in content:
        content = base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    if not content:
        return ""
    text = " ".join(str(content).split())
    return text if len(text) <= limit else text[:limit] + "..."


def failures_of(events):
    """(operation, check, status, message, response body, reproduction) for each distinct failed check."""
    found = {}
    for event in events:
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        recorder = scenario.get("recorder") or {}
        label = recorder.get("label", "?")
        interactions = recorder.get("interactions") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                interaction = interactions.get(case_id) or {}
                response = interaction.get("response") or {}
                status = response.get("status_code", "no response")
                operation = failure.get("operation") or label
                request = interaction.get("request") or {}
                if request.get("method") and request["method"] != operation.split(" ", 1)[0]:
                    operation = f"{operation} (sent as {request['method']})"
                message = (failure.get("message") or "").strip()
                title = " ".join(filter(None, (failure.get("code"), failure.get("title"))))
                key = (operation, check.get("name"), status, title, message.splitlines()[0] if message else "")
                if key not in found:
                    found[key] = (operation, check.get("name"), status, title, message,
                                  body_excerpt(response.get("content")),
                                  curl_command(request) if request else "(no request recorded)")
    return list(found.values())


def brief(message, limit=10):
    """The failure message without the schema it quotes, at most `limit` non-empty lines."""
    lines, skipping = [], False
    for line in message.splitlines():
        if line.strip() == "Schema:":
            skipping = True
        elif line.strip() == "Value:":
            skipping = False
        if not skipping and line.strip():
            lines.append(line)
    return lines[:limit]


def errors_of(events):
    """Each distinct error (a request that got no response, a body that could not be serialized...)."""
    counts = {}
    for event in events:
        for kind in ("NonFatalError", "FatalError"):
            error = event.get(kind)
            if error:
                value = error.get("value") or {}
                message = (str(value.get("message", "")).strip().splitlines() or [""])[0][:300]
                text = f"{value.get('type', kind)}: {message}"
                where = error.get("label")
                key = f"{where}: {text}" if where else text
                counts[key] = counts.get(key, 0) + 1
    return [f"{key} (x{count})" if count > 1 else key for key, count in counts.items()]


def reachable(base_url, timeout=5.0):
    """None when a TCP connection to BASE_URL's host and port opens, else why not."""
    url = urlsplit(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=timeout).close()
        return None
    except OSError as error:
        return f"cannot connect to {url.hostname}:{port}: {error}"


def fuzz(spec_path, base_url, args):
    if not Path(spec_path).is_file():
        print(f"no such file: {spec_path}")
        return 1
    if not base_url.startswith(("http://", "https://")) or not urlsplit(base_url).hostname:
        print(f"BASE_URL must be an http(s) URL: {base_url}")
        return 1
    unreachable = reachable(base_url)
    if unreachable:
        print(f"ERROR {unreachable}")
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="openapi-check-") as temporary:
        work = Path(args.report_dir).resolve() if args.report_dir else Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for stale in ("events.ndjson", "report.json", "requests.ndjson"):
            (work / stale).unlink(missing_ok=True)
        code = run_schemathesis(spec_path, base_url.rstrip("/"), args, work)
        events = read_events(work / "events.ndjson")
        report_path = work / "report.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else None
        log = (work / "schemathesis.log").read_text(encoding="utf-8", errors="replace")
        requests_path = work / "requests.ndjson"
        requests = len(requests_path.read_text(encoding="utf-8").splitlines()) if requests_path.exists() else None
    failures = failures_of(events)
    errors = errors_of(events)
    for operation, check, status, title, message, body, reproduction in failures:
        print(f"FAIL {operation}: {check} ({title}), status {status}")
        for line in brief(message):
            print(f"    {line}")
        if body:
            print(f"    response body: {body}")
        print(f"    reproduce: {reproduction}")
    for error in errors:
        print(f"ERROR {error}")
    if report is not None:
        for kind, labels in (report.get("warnings") or {}).items():
            if labels:
                print(f"note: schemathesis warning {kind}: {', '.join(map(str, labels))}")
    problem = None
    if report is None or not report.get("complete"):
        problem = f"schemathesis did not complete (exit {code})"
    elif code not in (0, 1):
        problem = f"schemathesis exited with {code}"
    elif code == 1 and not failures and not errors:
        problem = "schemathesis reported a failure that this script could not read"
    if problem:
        print(f"ERROR {problem}; its output:")
        print(log.rstrip()[-6000:])
    operations = (report or {}).get("operations") or {}
    tested = operations.get("tested", 0)
    total = operations.get("total", "?")
    print(f"fuzz: {tested}/{total} operations tested, "
          f"{requests if requests is not None else '?'} requests, "
          f"{len(failures)} failures, {len(errors)} errors, {time.monotonic() - started:.1f}s")
    return 0 if code == 0 and not failures and not errors and not problem else 1


# schemathesis hooks (this file is loaded as SCHEMATHESIS_HOOKS by the `fuzz` subprocess)


def register_hooks():
    import schemathesis

    # Compact JWS/JWE and status list credentials: strings on the wire, sent like text/plain.
    schemathesis.serializer.alias(list(TEXT_MEDIA_TYPES), "text/plain")
    schemathesis.serializer.alias(list(JSON_MEDIA_TYPES), "application/json")

    # Read as text, so that the body is checked against its `type: string` schema (and a body that is
    # not text in its charset is reported) instead of being skipped for want of a deserializer.
    @schemathesis.deserializer("text/plain", *TEXT_MEDIA_TYPES)
    def read_text(ctx, response):
        return response.content.decode(response.encoding or "utf-8")

    log_path = os.environ.get(REQUEST_LOG_ENV)
    if log_path:
        log = open(log_path, "a", encoding="utf-8")

        @schemathesis.hook
        def after_call(context, case, response):
            body = None if type(case.body).__name__ == "NotSet" else repr(case.body)[:200]
            log.write(json.dumps({
                "method": case.method, "path": case.formatted_path, "query": dict(case.query or {}),
                "headers": dict(case.headers or {}), "body": body, "status": response.status_code,
            }, default=str, sort_keys=True) + "\n")
            log.flush()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    validate_parser = commands.add_parser("validate", help="validate an OpenAPI 3.1 document")
    validate_parser.add_argument("spec")
    fuzz_parser = commands.add_parser("fuzz", help="run schemathesis against a running server")
    fuzz_parser.add_argument("spec")
    fuzz_parser.add_argument("base_url")
    fuzz_parser.add_argument("--max-examples", type=int, default=30, metavar="N")
    fuzz_parser.add_argument("--checks", type=lambda value: [c.strip() for c in value.split(",") if c.strip()],
                             default=list(DEFAULT_CHECKS), metavar="LIST",
                             help="comma-separated schemathesis checks (default: %s)" % ",".join(DEFAULT_CHECKS))
    fuzz_parser.add_argument("--request-timeout", type=float, default=10.0, metavar="SECONDS")
    fuzz_parser.add_argument("--report-dir", metavar="DIR",
                             help="keep schemathesis's output, events and request log there")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.spec)
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    return fuzz(args.spec, args.base_url, args)


if __name__ == "_schemathesis_hooks":
    register_hooks()
elif __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
