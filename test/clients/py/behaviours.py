"""What issue 13 says clients saw, as the Python SDK sees it: plugins and
swarm answers, create validation, inspect defaults, exec start bodies, and
clients that go away mid-stream. See common.py for how a case runs."""
import os
import socket
import struct

import docker
from docker.utils.socket import STDERR, STDOUT, frames_iter

from common import api_error, main, remove_quietly, text, unique, wait_for

SLEEPER = ["sleep", "300"]
NOT_MANAGER = ("This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" "
               "to connect this node to swarm and try again.")


def plugins(client):
    return {
        "list": client.api.plugins(),
        "models": len(client.plugins.list()),
        "missing": api_error(lambda: client.api.inspect_plugin("nosuch")),
    }


def swarm(client):
    """Each swarm call a client makes outside a swarm, and what it gets."""
    api = client.api
    calls = {
        "inspect_swarm": api.inspect_swarm, "nodes": api.nodes, "services": api.services, "tasks": api.tasks,
        "secrets": api.secrets, "configs": api.configs, "leave_swarm": api.leave_swarm,
    }
    return {name: api_error(call) for name, call in calls.items()}


def create_validation(client):
    """Creates dockerd refuses with 400 before making anything: each refusal,
    and how many containers they made all the same (none)."""
    parent = client.containers.create("busybox", SLEEPER)
    shared = f"container:{parent.id}"
    cases = {
        "env_leading_equals": {"environment": ["=foo"]},
        "env_empty": {"environment": [""]},
        "env_only_equals": {"environment": ["="]},
        "link_missing": {"links": {"nosuch": "alias"}},
        "volumes_from_missing": {"volumes_from": ["nosuch"]},
        "health_interval": {"healthcheck": {"test": ["CMD", "true"], "interval": 500000}},
        "health_retries": {"healthcheck": {"test": ["CMD", "true"], "retries": -1}},
        "oom_score_adj": {"oom_score_adj": 2000},
        "cpu_period": {"cpu_period": 500},
        "cpuset_mems": {"cpuset_mems": "99"},
        "dns_shared_net": {"network_mode": shared, "dns": ["192.0.2.1"]},
        "mac_shared_net": {"network_mode": shared, "mac_address": "02:42:ac:11:00:02"},
        "hosts_shared_net": {"network_mode": shared, "extra_hosts": {"a": "192.0.2.2"}},
        "ports_shared_net": {"network_mode": shared, "ports": {"80/tcp": 8080}},
    }
    label = {"case": unique("validation")}
    try:
        refused = {name: api_error(lambda kw=kw: client.containers.create("busybox", ["true"], labels=label, **kw)) for name, kw in cases.items()}
        made = client.containers.list(all=True, filters={"label": f"case={label['case']}"})
        return {"refused": refused, "made": len(made)}
    finally:
        remove_quietly(parent)


def refused_requests(client):
    """A tag named like a digest, and bodies that are not JSON or not an object."""
    api = client.api

    def post(path, body):
        r = api._post(api._url(path), data=body, headers={"Content-Type": "application/json"})
        return {"status": r.status_code, "explanation": r.json().get("message")}

    busybox = client.images.get("busybox")
    return {
        "tag_digest": api_error(lambda: api.tag(busybox.id, "sha256", "0" * 64)),
        "volume_empty_body": post("/volumes/create", ""),
        "volume_truncated": post("/volumes/create", "{"),
        "network_truncated": post("/networks/create", "{"),
        "network_array": post("/networks/create", "[]"),
        "container_null": post("/containers/create", "null"),
    }


def refused_imports(client):
    """An import that fails before the daemon has anything to say is raised by
    the SDK (an HTTP error), not returned as a 200 stream with the error inside."""
    api = client.api
    repo = unique("badimport")
    garbage = api_error(lambda: api.import_image_from_data(b"not a tar " * 300, repository=repo))
    left = api_error(lambda: api.inspect_image(repo))["status"]
    return {
        "changes": api_error(lambda: api.import_image_from_data(b"", repository=repo, changes=["EXPOSE 5-3"])),
        "garbage_raised": garbage["status"] is not None,
        "image_after_garbage": left,
    }


def inspect_defaults(client):
    """HostConfig defaults dockerd fills in at create, before any start."""
    container = client.containers.create("busybox", SLEEPER)
    try:
        host = client.api.inspect_container(container.id)["HostConfig"]
        return {k: host.get(k) for k in ["ShmSize", "IpcMode", "MaskedPaths", "ReadonlyPaths", "Privileged"]}
    finally:
        remove_quietly(container)


def exec_body_not_stdin(client):
    """exec start's JSON body is the request: stdin carries only what the
    client writes after the upgrade."""
    container = client.containers.run("busybox", SLEEPER, detach=True)
    try:
        exec_id = client.api.exec_create(container.id, ["cat"], stdin=True)["Id"]
        sock = client.api.exec_start(exec_id, socket=True)
        sock._sock.sendall(b"typed\n")
        sock._sock.shutdown(socket.SHUT_WR)
        received = {STDOUT: b"", STDERR: b""}
        for stream, data in frames_iter(sock, tty=False):
            received[stream] += data
        state = wait_for(lambda: (lambda s: s if not s["Running"] else None)(client.api.exec_inspect(exec_id)), "cat to end")
        return {"stdout": text(received[STDOUT]), "stderr": text(received[STDERR]), "exit_code": state["ExitCode"]}
    finally:
        remove_quietly(container)


def close_socket(sock, how):
    """Ends a hijacked connection the way a client can: an orderly close, or a
    reset (SO_LINGER 0). Other objects of the SDK still hold the socket, so
    its descriptor is taken over and closed here, whatever they do later."""
    if how == "reset":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        sock.shutdown(socket.SHUT_RDWR)
    os.close(sock.detach())


def early_close(client):
    """Clients that go away while berthd still has output for them: after
    each, the daemon answers, the container still runs, and new streams work."""
    container = client.containers.run("busybox", ["sh", "-c", "echo started; exec sleep 300"], detach=True)
    results = {}

    def after(name):
        container.reload()
        results[name] = {"ping": client.api.ping(), "status": container.status}

    try:
        for how in ["read_then_close", "reset", "stall_then_close"]:
            exec_id = client.api.exec_create(container.id, ["sh", "-c", "yes | head -c 3000000"])["Id"]
            sock = client.api.exec_start(exec_id, socket=True)
            if how == "read_then_close":
                sock._sock.recv(100)
            elif how == "stall_then_close":
                # Reads nothing: the daemon must keep answering others while this one is full.
                wait_for(lambda: client.api.exec_inspect(exec_id)["Running"], "the exec to start")
                after("while_stalled")
            close_socket(sock._sock, "reset" if how == "reset" else "close")
            after(f"exec_{how}")

        for how in ["close", "reset"]:
            sock = client.api.attach_socket(container.id, params={"stdout": 1, "stderr": 1, "stream": 1})
            # Output only after the upgrade: the SDK's socket skips bytes read with the response head.
            container.exec_run(["sh", "-c", "echo more > /proc/1/fd/1"])
            sock._sock.recv(8)
            close_socket(sock._sock, how)
            after(f"attach_{how}")

        streams = {
            "logs_follow": lambda: container.logs(stream=True, follow=True),
            "stats_stream": lambda: container.stats(stream=True),
            "events": lambda: client.events(decode=True),
        }
        for name, open_stream in streams.items():
            stream = open_stream()
            if name != "events":
                next(stream)
            stream.close()
            after(name)
        results["exec_after_all"] = text(container.exec_run(["echo", "still here"]).output)
        return results
    finally:
        remove_quietly(container)


main({f.__name__: f for f in [plugins, swarm, create_validation, refused_requests, refused_imports, inspect_defaults, exec_body_not_stdin, early_close]})
