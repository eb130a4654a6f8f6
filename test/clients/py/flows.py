"""The everyday flows of the Python Docker SDK (Debian python3-docker 5.0.3),
as a script using it would go through them. See common.py for how a case runs."""
import os

import docker

from common import api_error, main, remove_quietly, text, unique, wait_for

SLEEPER = ["sleep", "300"]


def run_remove(client):
    """containers.run without detach: stdout back as bytes, a failed command
    as ContainerError with its stderr, and remove=True leaves nothing."""
    name = unique("run-rm")
    out = client.containers.run("busybox", ["sh", "-c", "echo hi; echo ignored >&2"], name=name, remove=True)
    try:
        client.containers.run("busybox", ["sh", "-c", "echo oops >&2; exit 3"], name=name + "-fail", remove=True)
        failed = None
    except docker.errors.ContainerError as err:
        failed = {"exit_status": err.exit_status, "stderr": text(err.stderr)}
    left = client.containers.list(all=True, filters={"name": name})
    return {"output": text(out), "failed": failed, "left": len(left)}


def run_detach_logs(client):
    """run(detach=True), logs split by stream, kill, wait, remove."""
    container = client.containers.run("busybox", ["sh", "-c", "echo one; echo two >&2; exec sleep 300"], detach=True)
    try:
        wait_for(lambda: b"two" in container.logs(), "the container's output")
        container.reload()
        result = {
            "status": container.status,
            "stdout": text(container.logs(stdout=True, stderr=False)),
            "stderr": text(container.logs(stdout=False, stderr=True)),
        }
        # stdout and stderr are separate pipes: only a line written after both were seen is surely last.
        container.exec_run(["sh", "-c", "echo last > /proc/1/fd/1"])
        wait_for(lambda: b"last" in container.logs(), "the exec's line in the logs")
        result["tail"] = text(container.logs(tail=1))
        container.kill()
        result["wait"] = container.wait(timeout=30)
        container.remove()
        result["after_remove"] = api_error(lambda: client.api.inspect_container(container.id))["status"]
        return result
    finally:
        remove_quietly(container)


def exec_run(client):
    """exec_run with tty False and True, demux=True, env and workdir."""
    container = client.containers.run("busybox", SLEEPER, detach=True)
    both = ["sh", "-c", "echo out; echo err >&2; exit 3"]
    try:
        plain = container.exec_run(both)
        tty = container.exec_run(both, tty=True)
        demux = container.exec_run(both, demux=True)
        env = container.exec_run(["sh", "-c", "echo $X $PWD"], environment={"X": "1"}, workdir="/tmp")
        return {
            "plain": {"exit_code": plain.exit_code, "lines": sorted(text(plain.output).splitlines())},
            "tty": {"exit_code": tty.exit_code, "output": text(tty.output)},
            "demux": {"exit_code": demux.exit_code, "stdout": text(demux.output[0]), "stderr": text(demux.output[1])},
            "env": text(env.output),
        }
    finally:
        remove_quietly(container)


def exec_missing_binary(client):
    """exec_run of a binary the image does not have: an exit code, not an HTTP error."""
    container = client.containers.run("busybox", SLEEPER, detach=True)
    try:
        missing = container.exec_run("nosuchbinary")
        return {"exit_code": missing.exit_code, "output": text(missing.output)}
    finally:
        remove_quietly(container)


def attach(client):
    """attach(stream=True, logs=True) to a created container, then started:
    everything it prints, until it exits."""
    container = client.containers.create("busybox", ["sh", "-c", "echo hello; echo err >&2"])
    try:
        stream = client.api.attach(container.id, stream=True, logs=True)
        container.start()
        chunks = b"".join(stream)
        status = container.wait(timeout=30)["StatusCode"]
        return {"streamed": sorted(text(chunks).splitlines()), "status": status}
    finally:
        remove_quietly(container)


def images(client):
    """images.list/get/tag/remove as a script sees them."""
    busybox = client.images.get("busybox")
    tag = unique("sdk-tag")
    result = {
        "listed": any("busybox:latest" in i.tags for i in client.images.list()),
        "by_name": [i.id == busybox.id for i in client.images.list(name="busybox")],
        "has_container_config": "ContainerConfig" in busybox.attrs,
        "cmd": busybox.attrs["Config"]["Cmd"],
    }
    assert busybox.tag(tag, "v1")
    result["tagged_id_matches"] = client.images.get(f"{tag}:v1").id == busybox.id
    result["tags_after_tag"] = [t for t in client.images.get(busybox.id).tags if t.startswith(tag)] == [f"{tag}:v1"]
    client.images.remove(f"{tag}:v1")
    result["after_remove"] = api_error(lambda: client.images.get(f"{tag}:v1"))["status"]
    result["missing"] = api_error(lambda: client.images.get("nosuch-image:latest"))
    return result


def networks_volumes(client):
    """networks and volumes: create with labels, find in list, inspect, remove."""
    net_name, vol_name = unique("sdk-net"), unique("sdk-vol")
    network = client.networks.create(net_name, driver="bridge", labels={"case": "sdk"})
    volume = client.volumes.create(vol_name, labels={"case": "sdk"})
    try:
        result = {
            "network_listed": [n.name for n in client.networks.list(names=[net_name])] == [net_name],
            "network_driver": client.networks.get(network.id).attrs["Driver"],
            "network_labels": client.networks.get(net_name).attrs["Labels"],
            "volume_listed": [v.name for v in client.volumes.list(filters={"name": vol_name})] == [vol_name],
            "volume_labels": client.volumes.get(vol_name).attrs["Labels"],
            "volume_driver": volume.attrs["Driver"],
        }
    finally:
        network.remove()
        volume.remove()
    result["network_after_remove"] = api_error(lambda: client.networks.get(net_name))["status"]
    result["volume_after_remove"] = api_error(lambda: client.volumes.get(vol_name))["status"]
    return result


def stats(client):
    """stats(stream=False) of a container on a user network."""
    network = client.networks.create(unique("sdk-stats"), driver="bridge")
    container = client.containers.run("busybox", SLEEPER, detach=True, network=network.name)
    try:
        sample = container.stats(stream=False)
        return {
            "keys": sorted(k for k in ["read", "preread", "cpu_stats", "precpu_stats", "memory_stats", "pids_stats", "blkio_stats", "networks"] if k in sample),
            "networks": sorted(sample.get("networks", {}).keys()),
            "has_usage": "usage" in sample["memory_stats"],
            "name": sample["name"],
            "id_matches": sample["id"] == container.id,
        }
    finally:
        remove_quietly(container)
        network.remove()


def low_level(client):
    """The low-level APIClient, as older scripts and compose use it."""
    api = docker.APIClient(base_url=os.environ["DOCKER_HOST"], version="1.41", timeout=60)
    name = unique("sdk-ll")
    created = api.create_container(
        "busybox", ["sh", "-c", "echo $GREETING; exit 5"], name=name, environment={"GREETING": "hello"},
        host_config=api.create_host_config(mem_limit="64m", network_mode="none"),
    )
    try:
        api.start(created["Id"])
        status = api.wait(created["Id"], timeout=30)
        inspected = api.inspect_container(name)
        return {
            "ping": api.ping(),
            "version_keys": sorted(k for k in ["ApiVersion", "Version", "Os", "Arch"] if k in api.version()),
            "warnings": created["Warnings"] or [],
            "status": status,
            "logs": text(api.logs(created["Id"])),
            "memory": inspected["HostConfig"]["Memory"],
            "name": inspected["Name"] == "/" + name,
            "listed": [c["Names"] for c in api.containers(all=True, filters={"name": name})] == [["/" + name]],
        }
    finally:
        api.remove_container(created["Id"], force=True)


main({f.__name__: f for f in [run_remove, run_detach_logs, exec_run, exec_missing_binary, attach, images, networks_volumes, stats, low_level]})
