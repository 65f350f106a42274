#!/usr/bin/env python3
"""Checks recorded HTTP exchanges against docs/api/openapi.yaml.

The contract tests (tests/contract/) record every exchange when
ECARD_RECORD_RESPONSES names a file (see `ecard_e2e::record`). This script
matches each one to its operation and checks that:

* the status is documented for the operation,
* the media type is the documented one (JSON, problem+json, binary),
* the body validates against the documented schema (a 304 has none),
* the request body of every successful call validates against the
  documented request schema, so the spec does not refuse what works,

and that every operation of the spec was exercised at least once.

Usage: check-recorded-responses.py <openapi.yaml> <recorded.jsonl>
Exits non-zero on the first kind of failure, listing all of them.
"""

import json
import re
import sys

import jsonschema_rs
import yaml

METHODS = ("get", "post", "put", "delete", "patch")


def load_spec(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def resolve(spec, node):
    """Follows a non-schema $ref (responses, parameters)."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        pointer = node["$ref"].removeprefix("#/").split("/")
        node = spec
        for part in pointer:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def validator(spec, schema, cache={}):
    key = json.dumps(schema, sort_keys=True)
    if key not in cache:
        root = dict(schema)
        root["components"] = spec["components"]
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        cache[key] = jsonschema_rs.validator_for(root)
    return cache[key]


def operations(spec):
    found = []
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        for method in METHODS:
            if method in item:
                found.append((re.compile(pattern), method.upper(), template, item[method]))
    return found


def main():
    spec = load_spec(sys.argv[1])
    ops = operations(spec)
    failures = []
    seen = set()
    statuses = {}
    count = 0
    with open(sys.argv[2], encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            exchange = json.loads(line)
            count += 1
            path = exchange["path"].split("?", 1)[0]
            method = exchange["method"].upper()
            status = str(exchange["status"])
            where = f"line {number}: {method} {exchange['path']} → {status}"
            matches = [op for op in ops if op[0].match(path)]
            matching = [op for op in matches if op[1] == method]
            if not matching:
                # Unknown path (404) or method (405): still a problem body.
                if status in ("404", "405", "400"):
                    body = exchange["body"]
                    schema = spec["components"]["schemas"]["Problem"]
                    errors = [str(error) for error in validator(spec, schema).iter_errors(body)]
                    if errors or exchange["content_type"] != "application/problem+json":
                        failures.append(f"{where}: not a problem body: {errors}")
                else:
                    failures.append(f"{where}: no such operation in the spec")
                continue
            # Literal segments win over templates (…/loss-reports/release).
            matching.sort(key=lambda op: op[2].count("{"))
            _, _, template, operation = matching[0]
            seen.add((method, template))
            statuses.setdefault((method, template), set()).add(status)
            responses = operation.get("responses", {})
            if status not in responses:
                failures.append(f"{where}: status not documented for {template}")
                continue
            response = resolve(spec, responses[status])
            if exchange.get("server_time") is None:
                failures.append(f"{where}: no x-ecard-server-time")
            content = response.get("content")
            if not content:
                if exchange["body"] is not None:
                    failures.append(f"{where}: a body where none is documented")
                continue
            media = exchange["content_type"]
            if media not in content:
                failures.append(f"{where}: media type {media} not among {list(content)}")
                continue
            if media in ("application/octet-stream", "application/vnd.ecard.status-delta"):
                continue
            schema = content[media]["schema"]
            errors = [str(error) for error in validator(spec, schema).iter_errors(exchange["body"])]
            if errors:
                failures.append(f"{where}: body does not match: {errors[:3]}")
            if status.startswith("2") and "requestBody" in operation and exchange["request"] is not None:
                request_schema = resolve(spec, operation["requestBody"])["content"]["application/json"]["schema"]
                errors = [str(error) for error in validator(spec, request_schema).iter_errors(exchange["request"])]
                if errors:
                    failures.append(f"{where}: accepted request does not match the spec: {errors[:3]}")
    missing = sorted(
        f"{method} {template}"
        for _, method, template, _ in ops
        if (method, template) not in seen
    )
    print(f"{count} exchanges, {len(seen)} of {len(ops)} operations exercised")
    for (method, template), codes in sorted(statuses.items(), key=lambda item: item[0][1]):
        print(f"  {method:6} {template:48} {' '.join(sorted(codes))}")
    if missing:
        failures.append("operations never exercised: " + ", ".join(missing))
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
