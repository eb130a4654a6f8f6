import { go, type GoType } from '../gojson.js';

/**
 * The request bodies of the Engine API as the Go types dockerd 20.10 decodes
 * them into (names as its error messages print them), for decodeBody.
 */

const strings = go.array(go.string);
const stringMap = go.map(go.string);

const weightDevice = go.struct('blkiodev.WeightDevice', { Path: go.string, Weight: go.uint16 });
const throttleDevice = go.struct('blkiodev.ThrottleDevice', { Path: go.string, Rate: go.uint64 });
const throttleDevices = go.array(throttleDevice, '[]*blkiodev.ThrottleDevice');

/** container.Resources: what `docker update` changes and HostConfig embeds. */
export const resourcesFields: Record<string, GoType> = {
  CpuShares: go.int64, Memory: go.int64, NanoCpus: go.int64, CgroupParent: go.string,
  BlkioWeight: go.uint16,
  BlkioWeightDevice: go.array(weightDevice, '[]*blkiodev.WeightDevice'),
  BlkioDeviceReadBps: throttleDevices, BlkioDeviceWriteBps: throttleDevices,
  BlkioDeviceReadIOps: throttleDevices, BlkioDeviceWriteIOps: throttleDevices,
  CpuPeriod: go.int64, CpuQuota: go.int64, CpuRealtimePeriod: go.int64, CpuRealtimeRuntime: go.int64,
  CpusetCpus: go.string, CpusetMems: go.string,
  Devices: go.array(go.struct('container.DeviceMapping', { PathOnHost: go.string, PathInContainer: go.string, CgroupPermissions: go.string })),
  DeviceCgroupRules: strings,
  DeviceRequests: go.array(go.struct('container.DeviceRequest', {
    Driver: go.string, Count: go.int, DeviceIDs: strings, Capabilities: go.array(strings), Options: stringMap,
  })),
  KernelMemory: go.int64, KernelMemoryTCP: go.int64, MemoryReservation: go.int64, MemorySwap: go.int64,
  MemorySwappiness: go.int64, OomKillDisable: go.bool, PidsLimit: go.int64,
  Ulimits: go.array(go.struct('units.Ulimit', { Name: go.string, Hard: go.int64, Soft: go.int64 }), '[]*units.Ulimit'),
  CpuCount: go.int64, CpuPercent: go.int64, IOMaximumIOps: go.uint64, IOMaximumBandwidth: go.uint64,
};

export const restartPolicy = go.struct('container.RestartPolicy', { Name: go.string, MaximumRetryCount: go.int });

export const UpdateConfig = go.struct('container.UpdateConfig', { ...resourcesFields, RestartPolicy: restartPolicy });

const consoleSize = go.array({ ...go.uint64, go: 'uint' }, '[2]uint');

export const ExecConfig = go.struct('types.ExecConfig', {
  User: go.string, Privileged: go.bool, Tty: go.bool, ConsoleSize: consoleSize,
  AttachStdin: go.bool, AttachStderr: go.bool, AttachStdout: go.bool, Detach: go.bool,
  DetachKeys: go.string, Env: strings, WorkingDir: go.string, Cmd: strings,
});

const ipamConfig = go.struct('network.IPAMConfig', { Subnet: go.string, IPRange: go.string, Gateway: go.string, AuxiliaryAddresses: stringMap });

export const NetworkCreateRequest = go.struct('types.NetworkCreateRequest', {
  Name: go.string, CheckDuplicate: go.bool, Driver: go.string, Scope: go.string, EnableIPv6: go.bool,
  IPAM: go.struct('network.IPAM', { Driver: go.string, Options: stringMap, Config: go.array(ipamConfig) }),
  Internal: go.bool, Attachable: go.bool, Ingress: go.bool, ConfigOnly: go.bool,
  ConfigFrom: go.struct('network.ConfigReference', { Network: go.string }),
  Options: stringMap, Labels: stringMap,
});

const endpointSettings = go.struct('network.EndpointSettings', {
  IPAMConfig: go.struct('network.EndpointIPAMConfig', { IPv4Address: go.string, IPv6Address: go.string, LinkLocalIPs: strings }),
  Links: strings, Aliases: strings, NetworkID: go.string, EndpointID: go.string, Gateway: go.string,
  IPAddress: go.string, IPPrefixLen: go.int, IPv6Gateway: go.string, GlobalIPv6Address: go.string,
  GlobalIPv6PrefixLen: go.int, MacAddress: go.string, DriverOpts: stringMap,
});

export const NetworkConnect = go.struct('types.NetworkConnect', { Container: go.string, EndpointConfig: endpointSettings });

export const NetworkDisconnect = go.struct('types.NetworkDisconnect', { Container: go.string, Force: go.bool });

export const VolumeCreateBody = go.struct('volume.VolumeCreateBody', { Name: go.string, Driver: go.string, DriverOpts: stringMap, Labels: stringMap });

export const AuthConfig = go.struct('types.AuthConfig', {
  username: go.string, password: go.string, auth: go.string, email: go.string,
  serveraddress: go.string, identitytoken: go.string, registrytoken: go.string,
});

/** Swarm bodies are only read so a malformed one gets dockerd's 400; berthd has no swarm to apply them to. */
export const SwarmRequest = go.struct('swarm.Request', {});
