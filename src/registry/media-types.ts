/** The manifest media types the registry stores, and how each one references content. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Schema 1 (signed or not) is deprecated; distribution 2.8 refuses it by default and so do we. */
export const DOCKER_SCHEMA1 = ['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws'];

export type ManifestMediaType = typeof DOCKER_MANIFEST | typeof DOCKER_MANIFEST_LIST | typeof OCI_MANIFEST | typeof OCI_INDEX;

export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX];

export function isManifestMediaType(value: string): value is ManifestMediaType {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(value);
}

/** Lists of manifests (Docker manifest list, OCI index), as opposed to image manifests. */
export function isIndexMediaType(value: string): boolean {
  return value === DOCKER_MANIFEST_LIST || value === OCI_INDEX;
}
