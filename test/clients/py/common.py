"""Shared by the Python SDK cases: one case runs per process, named on the
command line, against the daemon in DOCKER_HOST; its result is printed as JSON
for the node test to assert on. A case cleans up what it made in `finally`."""
import json
import os
import sys
import time
import traceback

import docker

TIMEOUT = 60


def client(version=None):
    return docker.from_env(timeout=TIMEOUT, version=version)


def unique(prefix):
    """A name no other case, run or test process uses."""
    return f"{prefix}-{os.getpid()}-{time.monotonic_ns() % 100000}"


def api_error(call):
    """What a client sees of a refused call: the status and the daemon's message."""
    try:
        call()
    except docker.errors.APIError as err:
        return {"status": err.status_code, "explanation": err.explanation}
    return {"status": None, "explanation": "no error"}


def wait_for(condition, what, timeout=30):
    """Polls condition until it is true; a case waits for states, never for time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def text(data):
    return None if data is None else data.decode("utf-8", "replace")


def remove_quietly(container):
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass


def main(cases, version=None):
    """Runs the cases named on the command line (all when none are), one
    after the other, and prints {case: {"result": ...} or {"error": traceback}}:
    one python start per script, as the SDK's import is slow on a loaded host.
    A version pins the API version the SDK asks for (else the daemon's)."""
    names = sys.argv[1:] or list(cases)
    unknown = [n for n in names if n not in cases]
    if unknown:
        raise SystemExit(f"unknown cases {unknown}; known: {', '.join(cases)}")
    docker_client = client(version)
    results = {}
    for name in names:
        try:
            results[name] = {"result": cases[name](docker_client)}
        except Exception:  # a case's failure is its test's, not the next case's
            results[name] = {"error": traceback.format_exc()}
    json.dump(results, sys.stdout)
