"""The Python SDK's high-level client as scripts write it, beyond the
everyday flows: builds, a registry round trip, image history/save/load/prune,
containers.run with many options, exec and archive streams, container
changes, networks and volumes with options, df, events, info and version.
Each case returns only what is the same on every run (no ids or times), so the
node test can compare it with dockerd's answer. The SDK asks for API 1.41,
dockerd 20.10's, so both daemons answer the same version. See common.py for how a case runs."""
import io
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request

import docker
from docker.types import Healthcheck, Ulimit

from common import api_error, main, remove_quietly, text, unique, wait_for

SLEEPER = ["sleep", "300"]

MULTI_STAGE = b"""FROM busybox AS base
ARG GREETING=none
RUN echo "$GREETING" > /greeting
LABEL stage=base
FROM base AS final
RUN echo final > /final
"""


def remove_image_quietly(client, ref):
    try:
        client.images.remove(ref, force=True)
    except docker.errors.NotFound:
        pass


def build_error(call):
    """What a script sees of a build that fails: BuildError's message and the last log line."""
    try:
        call()
    except docker.errors.BuildError as err:
        logs = list(err.build_log)
        return {"type": "BuildError", "msg": err.msg, "last_log_has_error": "error" in logs[-1] if logs else None}
    except docker.errors.APIError as err:
        return {"type": "APIError", "status": err.status_code, "explanation": err.explanation}
    return {"type": None}


def build(client):
    """images.build from a directory (buildargs, target, labels) and from a
    file object; the logs generator; a failing RUN as BuildError."""
    context = tempfile.mkdtemp()
    tag = unique("sdk-build")
    try:
        with open(os.path.join(context, "Dockerfile"), "wb") as f:
            f.write(MULTI_STAGE)
        image, logs = client.images.build(path=context, tag=tag, buildargs={"GREETING": "hi"}, target="base", labels={"case": "sdk"}, rm=True)
        logs = list(logs)
        greeting = client.containers.run(image.id, ["sh", "-c", "cat /greeting; ls /final 2>&1 || true"], remove=True)
        streamed = "".join(entry.get("stream", "") for entry in logs)
        from_file, _ = client.images.build(fileobj=io.BytesIO(b"FROM busybox\nENV FROM_FILE=1\nCMD [\"env\"]\n"), tag=tag + "-file")
        return {
            "tags": image.tags,
            "labels": image.labels,
            "run": text(greeting),
            "log_keys": sorted({k for entry in logs for k in entry}),
            "steps": [line for line in streamed.splitlines() if line.startswith("Step ")],
            "successfully_built": f"Successfully built {image.short_id[7:]}" in streamed,
            "successfully_tagged": f"Successfully tagged {tag}:latest" in streamed,
            "from_file_env": "FROM_FILE=1" in from_file.attrs["Config"]["Env"],
            "from_file_cmd": from_file.attrs["Config"]["Cmd"],
            "failing_run": build_error(lambda: client.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN echo bad >&2; exit 7\n"), tag=tag + "-fail")),
            # A registry nobody listens on: the same error here and in CI, with or without a network.
            "missing_base": build_error(lambda: client.images.build(fileobj=io.BytesIO(b"FROM 127.0.0.1:1/nosuch:v9\n"), tag=tag + "-fail")),
        }
    finally:
        shutil.rmtree(context)
        for ref in [tag, tag + "-file"]:
            remove_image_quietly(client, ref)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalRegistry:
    """A docker-registry 2.8 on a free loopback port, its storage in a temp dir."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp()
        self.port = free_port()
        config = os.path.join(self.dir, "config.yml")
        with open(config, "w") as f:
            f.write(f"version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {self.dir}/data}}, delete: {{enabled: true}}}}\n"
                    f"http: {{addr: 127.0.0.1:{self.port}}}\n")
        self.process = subprocess.Popen(["/usr/bin/docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, "the registry to answer")
        return self

    def answers(self):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v2/", timeout=5).status == 200
        except OSError:
            return False

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.dir)


def registry(client):
    """tag, images.push (the stream of progress), images.pull back, and the errors of a missing tag."""
    with LocalRegistry() as reg:
        repo = f"127.0.0.1:{reg.port}/sdk/busybox"
        busybox = client.images.get("busybox")
        busybox.tag(repo, "v1")
        try:
            pushed = list(client.images.push(repo, "v1", stream=True, decode=True))
            client.images.remove(f"{repo}:v1")
            pulled = client.images.pull(repo, tag="v1")
            all_tags = client.images.pull(repo, all_tags=True)
            statuses = sorted({e["status"].split(":")[0] if e.get("status", "").startswith("v1:") else e.get("status") for e in pushed if "status" in e})
            aux = [e["aux"] for e in pushed if "aux" in e]
            return {
                "push_statuses": statuses,
                "push_aux_keys": [sorted(a) for a in aux],
                "push_aux_tag": [a["Tag"] for a in aux],
                "pulled_same": pulled.id == busybox.id,
                "pulled_tags": [t for t in pulled.tags if t.startswith(repo)],
                "all_tags": [[t for t in i.tags if t.startswith(repo)] for i in all_tags],
                "missing_tag": api_error(lambda: client.images.pull(repo, tag="nosuch")),
                "push_missing_tag": [e.get("error") for e in client.images.push(repo, "nosuch", stream=True, decode=True) if "error" in e],
                "push_no_local_tag": list(client.images.push(f"127.0.0.1:{reg.port}/sdk/nothing", "v1", stream=True, decode=True)),
            }
        finally:
            remove_image_quietly(client, f"{repo}:v1")


def history_save_load_prune(client):
    """image.history(), images.get().save() then images.load(), images.prune of a dangling build."""
    tag = unique("sdk-hist")
    built, _ = client.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN echo x > /x\nENV A=1\n"), tag=tag)
    try:
        history = built.history()
        saved = b"".join(built.save(named=True))
        client.images.remove(tag)
        gone = api_error(lambda: client.images.get(tag))["status"]
        loaded = client.images.load(saved)
        with tarfile.open(fileobj=io.BytesIO(saved)) as tar:
            names = tar.getnames()
        dangling, _ = client.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN echo dangling > /d\n"))
        pruned = client.images.prune(filters={"dangling": True})
        return {
            "history_keys": sorted(history[0]),
            "history_created_by": [h["CreatedBy"][-20:] for h in history],
            "history_tags": [h["Tags"] for h in history],
            "history_ids_missing": [h["Id"] == "<missing>" for h in history],
            "saved_has_manifest": "manifest.json" in names and "repositories" in names,
            "gone": gone,
            "loaded_tags": [i.tags for i in loaded],
            "loaded_same": [i.id == built.id for i in loaded],
            "pruned_keys": sorted(pruned),
            "pruned_dangling": {"Deleted": dangling.id} in (pruned["ImagesDeleted"] or []),
            "dangling_gone": api_error(lambda: client.images.get(dangling.id))["status"],
        }
    finally:
        remove_image_quietly(client, tag)


def run_options(client):
    """containers.run with many options at once, and what inspect and the process see of each."""
    network = client.networks.create(unique("sdk-run"), driver="bridge")
    volume = client.volumes.create(unique("sdk-run-vol"))
    host_dir = tempfile.mkdtemp()
    os.chmod(host_dir, 0o777)  # readable and writable by user 1000: only the ro mode stops the write
    with open(os.path.join(host_dir, "file"), "w") as f:
        f.write("from host\n")
    container = None
    try:
        container = client.containers.run(
            "busybox", ["sh", "-c", "echo started; exec sleep 300"], detach=True,
            ports={"80/tcp": ("127.0.0.1", free_port()), "81/tcp": None, "82/udp": [free_port(), free_port()]},
            volumes={volume.name: {"bind": "/data", "mode": "rw"}, host_dir: {"bind": "/host", "mode": "ro"}},
            environment={"ONE": "1", "TWO": "two words"},
            healthcheck={"test": ["CMD-SHELL", "test -e /tmp/healthy"], "interval": 100_000_000, "timeout": 5_000_000_000, "retries": 50, "start_period": 0},
            restart_policy={"Name": "on-failure", "MaximumRetryCount": 2},
            mem_limit="64m", nano_cpus=500_000_000, cpu_shares=512,
            ulimits=[Ulimit(name="nofile", soft=1024, hard=2048)],
            labels={"case": "sdk"}, network=network.name, working_dir="/data", user="1000:1000",
            hostname="sdkhost", entrypoint=["/bin/sh", "-c", "echo started; exec sleep 300", "ignored"],
        )
        container.exec_run(["touch", "/tmp/healthy"])
        # Container.health came with SDK 6; 5.0.3 scripts read attrs.
        wait_for(lambda: container.reload() or container.attrs["State"]["Health"]["Status"] == "healthy", "the container to be healthy")
        seen = container.exec_run(["sh", "-c", "id -u; id -g; pwd; echo $ONE $TWO; awk '/open files/ {print $4 \"/\" $5}' /proc/1/limits; hostname; cat /host/file; touch /host/x 2>&1 | sed 's/.*: //'"])
        attrs = container.attrs
        host = attrs["HostConfig"]
        ports = attrs["NetworkSettings"]["Ports"]
        health = attrs["State"]["Health"]
        return {
            "seen": text(seen.output).splitlines(),
            "health": {"status": health["Status"], "keys": sorted(health), "log_keys": sorted(health["Log"][-1]), "last_exit": health["Log"][-1]["ExitCode"]},
            "host": {k: host[k] for k in ["Memory", "NanoCpus", "CpuShares", "RestartPolicy", "Ulimits", "NetworkMode"]},
            "binds": sorted(b.split(":", 1)[1] for b in host["Binds"]),
            "mounts": sorted((m["Type"], m["Destination"], m["RW"]) for m in attrs["Mounts"]),
            "config": {k: attrs["Config"][k] for k in ["User", "WorkingDir", "Labels", "Entrypoint", "Cmd", "Hostname"]},
            "healthcheck": attrs["Config"]["Healthcheck"],
            "port_keys": sorted(ports),
            "port_80": [b["HostIp"] for b in ports["80/tcp"]],
            "port_81_bound": all(b["HostPort"].isdigit() for b in ports["81/tcp"] or []),
            "port_82_count": len(ports["82/udp"] or []),
            "exposed": sorted(attrs["Config"]["ExposedPorts"]),
            "ports_property": sorted(container.ports),
        }
    finally:
        if container:
            remove_quietly(container)
        network.remove()
        volume.remove()
        shutil.rmtree(host_dir)


def run_modes(client):
    """network_mode none and container:<id>, auto_remove, a port range, and wait(condition)."""
    parent = client.containers.run("busybox", SLEEPER, detach=True, network_mode="none")
    try:
        shared = client.containers.run("busybox", ["hostname"], network_mode=f"container:{parent.id}", remove=True)
        none_links = client.containers.run("busybox", ["ls", "/sys/class/net"], network_mode="none", remove=True)
        auto = client.containers.run("busybox", ["sh", "-c", "read x"], detach=True, auto_remove=True, stdin_open=True)
        sock = auto.attach_socket(params={"stdin": 1, "stream": 1})
        sock._sock.sendall(b"go\n")
        sock._sock.close()
        waited = auto.wait(condition="removed", timeout=30)
        after_auto = api_error(lambda: client.containers.get(auto.id))["status"]
        next_exit = client.containers.create("busybox", ["sh", "-c", "exit 4"])
        try:
            next_exit.start()
            waited_not_running = next_exit.wait(condition="not-running", timeout=30)
        finally:
            remove_quietly(next_exit)
        return {
            "shared_hostname": text(shared) == parent.attrs["Config"]["Hostname"] + "\n",
            "none_links": text(none_links).split(),
            "auto_remove_wait": waited,
            "auto_gone": after_auto,
            "not_running": waited_not_running,
        }
    finally:
        remove_quietly(parent)


def exec_streams(client):
    """exec_run with stream=True, demux with stream, socket=True, user and environment."""
    container = client.containers.run("busybox", SLEEPER, detach=True)
    try:
        streamed = container.exec_run(["sh", "-c", "echo a; echo b >&2; echo c"], stream=True)
        stream_chunks = b"".join(streamed.output)
        demuxed = container.exec_run(["sh", "-c", "echo out; echo err >&2"], stream=True, demux=True)
        demux_parts = {"stdout": b"", "stderr": b""}
        for out, err in demuxed.output:
            demux_parts["stdout"] += out or b""
            demux_parts["stderr"] += err or b""
        sock = container.exec_run(["sh", "-c", "echo via socket"], socket=True)
        raw = b""
        while True:
            chunk = sock.output._sock.recv(4096)
            if not chunk:
                break
            raw += chunk
        as_user = container.exec_run(["sh", "-c", "id -u; echo $A $B; pwd"], user="nobody", environment=["A=1", "B=2"], workdir="/etc")
        return {
            "stream_exit_code": streamed.exit_code,
            "stream_lines": sorted(text(stream_chunks).splitlines()),
            "demux": {k: text(v) for k, v in demux_parts.items()},
            "socket_frame_header": list(raw[:8]),
            "socket_payload": text(raw[8:]),
            "user": {"exit_code": as_user.exit_code, "output": text(as_user.output).splitlines()},
            # Only the code: whether dockerd's message reaches the stream before it closes varies.
            "missing_user": {"exit_code": container.exec_run(["true"], user="nosuchuser").exit_code},
        }
    finally:
        remove_quietly(container)


def archives(client):
    """put_archive, get_archive (stream and stat), export, diff."""
    container = client.containers.run("busybox", SLEEPER, detach=True)
    try:
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w") as tar:
            body = b"put by sdk\n"
            info = tarfile.TarInfo("put.txt")
            info.size, info.mode, info.mtime = len(body), 0o640, 1_600_000_000
            tar.addfile(info, io.BytesIO(body))
        put = container.put_archive("/tmp", data.getvalue())
        stream, stat = container.get_archive("/tmp/put.txt")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.getmembers()[0]
            got = {"name": member.name, "mode": oct(member.mode), "body": text(tar.extractfile(member).read())}
        _, dir_stat = container.get_archive("/tmp")
        container.exec_run(["sh", "-c", "mkdir /newdir && rm /etc/group && echo y >> /etc/passwd"])
        exported = b"".join(container.export())
        with tarfile.open(fileobj=io.BytesIO(exported)) as tar:
            exported_names = set(tar.getnames())
        return {
            "put": put,
            "stat": {k: stat[k] for k in ["name", "size", "mode", "linkTarget"]},
            "stat_mtime": stat["mtime"],
            "dir_stat": {k: dir_stat[k] for k in ["name", "mode"]},
            "got": got,
            "missing_get": api_error(lambda: container.get_archive("/nosuch")),
            "missing_put": api_error(lambda: container.put_archive("/nosuch", data.getvalue())),
            "export_has": sorted(n for n in ["bin/sh", "etc/passwd", "tmp/put.txt", "newdir", "etc/group", ".dockerenv", "dev/console", "dev/pts", "dev/shm", "etc/mtab"] if n in exported_names),
            "diff": sorted((d["Kind"], d["Path"]) for d in container.diff()),
        }
    finally:
        remove_quietly(container)


def changes(client):
    """commit with changes and conf, update, rename, stats(decode=True) stream."""
    container = client.containers.run("busybox", ["sh", "-c", "echo committed > /c; exec sleep 300"], detach=True)
    repo = unique("sdk-commit")
    try:
        wait_for(lambda: b"" == container.exec_run(["test", "-e", "/c"]).output and container.exec_run(["test", "-e", "/c"]).exit_code == 0, "/c to be written")
        image = container.commit(repository=repo, tag="v2", message="by sdk", author="sdk <sdk@example.com>",
                                 changes=["ENV COMMITTED=1", "CMD [\"cat\", \"/c\"]", "LABEL via=changes"], conf={"Labels": {"via": "conf"}})
        committed = {
            "tags": image.tags,
            "comment": image.attrs["Comment"],
            "author": image.attrs["Author"],
            "cmd": image.attrs["Config"]["Cmd"],
            "env_has": "COMMITTED=1" in image.attrs["Config"]["Env"],
            "labels": image.labels,
            "run": text(client.containers.run(image.id, remove=True)),
        }
        updated = container.update(mem_limit="128m", memswap_limit="256m", cpu_shares=256, restart_policy={"Name": "unless-stopped"})
        container.reload()
        host = container.attrs["HostConfig"]
        new_name = unique("sdk-renamed")
        container.rename(new_name)
        container.reload()
        samples = []
        for sample in container.stats(decode=True):
            samples.append(sample)
            if len(samples) == 2:
                break
        return {
            "committed": committed,
            "update": updated,
            "updated": {k: host[k] for k in ["Memory", "MemorySwap", "CpuShares", "RestartPolicy"]},
            "renamed": container.name == new_name and client.containers.get(new_name).id == container.id,
            "rename_taken": api_error(lambda: client.containers.create("busybox", name=new_name)),
            "stats_second_has_precpu": samples[1]["precpu_stats"].get("system_cpu_usage", 0) > 0,
            # dockerd here has no default bridge: the container has no networks section there.
            "stats_keys": sorted(k for k in samples[1] if k != "networks"),
        }
    finally:
        remove_quietly(container)
        remove_image_quietly(client, f"{repo}:v2")


def logs_options(client):
    """logs(since, until, tail, timestamps) of a container that printed at known times."""
    container = client.containers.run("busybox", ["sh", "-c", "for i in 1 2 3 4; do echo line$i; done; exec sleep 300"], detach=True)
    try:
        wait_for(lambda: b"line4" in container.logs(), "the lines")
        stamped = text(container.logs(timestamps=True)).splitlines()
        first_ts = stamped[0].split(" ", 1)[0]
        future = int(time.time()) + 3600
        return {
            "tail2": text(container.logs(tail=2)),
            "tail0": text(container.logs(tail=0)),
            "timestamped": [line.split(" ", 1)[1] for line in stamped],
            "ts_shape": len(first_ts) > 20 and first_ts.endswith("Z") and "T" in first_ts,
            "since_future": text(container.logs(since=future)),
            "until_past": text(container.logs(until=1)),
            "since_past": text(container.logs(since=1)).splitlines(),
        }
    finally:
        remove_quietly(container)


def networks_high_level(client):
    """networks.create with IPAM, internal, attachable and options; connect with
    aliases and ipv4_address; reload; containers; disconnect; prune."""
    name = unique("sdk-ipam")
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="10.231.0.0/24", gateway="10.231.0.254")])
    network = client.networks.create(name, driver="bridge", ipam=ipam, attachable=True, options={"com.docker.network.driver.mtu": "1400"}, labels={"case": "sdk"})
    # On a plain network first (dockerd here has no default bridge), then connected to this one.
    plain = client.networks.create(unique("sdk-plain"))
    container = client.containers.create("busybox", SLEEPER, network=plain.name)
    try:
        network.connect(container, aliases=["svc", "svc2"], ipv4_address="10.231.0.7")
        container.start()
        network.reload()
        container.reload()
        endpoint = container.attrs["NetworkSettings"]["Networks"][name]
        members = [c.id == container.id for c in network.containers]
        # The interface's name depends on the default network (dockerd here has none): found by its address.
        seen = container.exec_run(["sh", "-c", "ip -4 -o addr | awk '/10.231/ {print $2, $4}' | while read dev addr; do echo $addr; cat /sys/class/net/$dev/mtu; done"])
        attrs = network.attrs
        result = {
            "ipam": attrs["IPAM"]["Config"],
            "attachable": attrs["Attachable"], "options": attrs["Options"], "labels": attrs["Labels"],
            "members": members,
            "endpoint": {"aliases": [a for a in endpoint["Aliases"] if not container.id.startswith(a)], "ipam": endpoint["IPAMConfig"], "ip": endpoint["IPAddress"], "gateway": endpoint["Gateway"]},
            "seen": text(seen.output).split(),
            "duplicate": api_error(lambda: client.networks.create(name, check_duplicate=True)),
            "bad_mtu": api_error(lambda: client.networks.create(unique("sdk-mtu"), options={"com.docker.network.driver.mtu": "abc"}))["explanation"],
            "connect_again": (lambda e: {**e, "explanation": e["explanation"].replace(container.name, "<name>")})(api_error(lambda: network.connect(container))),
        }
        network.disconnect(container)
        network.reload()
        result["after_disconnect"] = len(network.containers)
        result["disconnect_again"] = api_error(lambda: network.disconnect(container))
        remove_quietly(container)
        spare = client.networks.create(unique("sdk-prune"), labels={"prune": "me"})
        pruned = client.networks.prune(filters={"label": "prune=me"})
        result["pruned"] = pruned["NetworksDeleted"] == [spare.name]
        result["pruned_keys"] = sorted(pruned)
        return result
    finally:
        remove_quietly(container)
        network.remove()
        plain.remove()


def volumes_high_level(client):
    """volumes.create with driver_opts and labels, reload, list filters, prune, and removing one in use."""
    name = unique("sdk-vol")
    volume = client.volumes.create(name, driver="local", driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}, labels={"case": "sdk"})
    container = client.containers.run("busybox", ["sh", "-c", "df -k /v | tail -1 | awk '{print $2}'"], volumes={name: {"bind": "/v"}}, detach=True)
    try:
        container.wait(timeout=30)
        volume.reload()
        in_use = api_error(lambda: volume.remove())
        size = text(container.logs()).strip()
        dangling_before = [v.name for v in client.volumes.list(filters={"dangling": True}) if v.name == name]
        remove_quietly(container)
        anonymous = client.volumes.create(labels={"prune": "me"})
        named = client.volumes.create(unique("sdk-vol-named"), labels={"prune": "me"})
        pruned = client.volumes.prune(filters={"label": "prune=me"})
        left = [v.name for v in client.volumes.list(filters={"label": "prune=me"})]
        for v in left:
            client.volumes.get(v).remove()
        return {
            "options": volume.attrs["Options"], "labels": volume.attrs["Labels"], "scope": volume.attrs["Scope"],
            "size_kb": size, "in_use_status": in_use["status"], "dangling_in_use": dangling_before,
            "pruned_keys": sorted(pruned),
            "pruned_anonymous": anonymous.name in (pruned["VolumesDeleted"] or []),
            "pruned_named": named.name in (pruned["VolumesDeleted"] or []),
            "left_named": left == [named.name],
        }
    finally:
        remove_quietly(container)
        volume.remove()


def system(client):
    """client.df(), info(), version(), events(decode=True) with filters, since and until."""
    since = int(time.time()) - 1
    label = unique("sdk-events")
    container = client.containers.create("busybox", ["true"], labels={"case": label})
    container.start()
    container.wait(timeout=30)
    container.remove()
    until = int(time.time()) + 1
    wait_for(lambda: time.time() > until, "until to pass")
    events = list(client.events(decode=True, since=since, until=until, filters={"type": "container", "label": f"case={label}"}))
    df = client.df()
    info = client.info()
    version = client.version()
    return {
        "event_actions": [e["Action"] for e in events],
        "event_keys": sorted(events[0]),
        "event_actor_keys": sorted(events[0]["Actor"]),
        "event_label": events[0]["Actor"]["Attributes"].get("case") == label,
        "event_status_matches": all(e["status"] == e["Action"] for e in events),
        "df_keys": sorted(df),
        "df_image_keys": sorted(df["Images"][0]),
        "df_volumes_type": type(df["Volumes"]).__name__,
        "df_build_cache_type": type(df["BuildCache"]).__name__,
        "info_has": sorted(k for k in ["Containers", "Images", "Driver", "KernelVersion", "OperatingSystem", "NCPU", "MemTotal", "Name", "ID", "ServerVersion", "DockerRootDir", "Plugins", "Runtimes", "DefaultRuntime", "CgroupDriver", "CgroupVersion", "SecurityOptions", "RegistryConfig", "Swarm", "Warnings"] if k in info),
        "info_swarm_state": info["Swarm"]["LocalNodeState"],
        "version_keys": sorted(version),
        "version_components": [c["Name"] for c in version.get("Components", [])][:1],
        "api_version": version["ApiVersion"] >= "1.41",
        "min_api": version["MinAPIVersion"],
    }


main({f.__name__: f for f in [build, registry, history_save_load_prune, run_options, run_modes, exec_streams, archives, changes, logs_options, networks_high_level, volumes_high_level, system]}, version="1.41")
