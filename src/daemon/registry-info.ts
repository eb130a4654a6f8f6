import type { DaemonConfig } from './config.js';

interface IndexInfo {
  Name: string;
  Mirrors: string[];
  Secure: boolean;
  Official: boolean;
}

/**
 * /info's RegistryConfig as dockerd fills it from the same settings:
 * insecure CIDRs (127.0.0.0/8 always), insecure registries by name as
 * non-secure index configs, and Docker Hub's mirrors. `docker info` prints
 * "Insecure Registries" and "Registry Mirrors" from it.
 */
export function registryConfigInfo(config: DaemonConfig): Record<string, unknown> {
  const isCidr = (entry: string) => /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(entry);
  const cidrs = ['127.0.0.0/8', ...config.insecureRegistries.filter(isCidr)];
  const mirrors = config.registryMirrors.map((m) => (m.endsWith('/') ? m : `${m}/`));
  const indexes: Record<string, IndexInfo> = { 'docker.io': { Name: 'docker.io', Mirrors: mirrors, Secure: true, Official: true } };
  for (const name of config.insecureRegistries.filter((e) => !isCidr(e))) {
    const host = name.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    indexes[host] = { Name: host, Mirrors: [], Secure: false, Official: false };
  }
  return {
    // dockerd 20.10 lists them, empty (this daemon takes no such option).
    AllowNondistributableArtifactsCIDRs: [],
    AllowNondistributableArtifactsHostnames: [],
    InsecureRegistryCIDRs: [...new Set(cidrs)],
    IndexConfigs: indexes,
    Mirrors: mirrors,
  };
}
