/**
 * The labels compose v2 writes on what it creates. They are the project's
 * only state: `up`, `ps` and `down` find the project's containers, networks
 * and volumes by them, so docker compose and berth compose see each other's work.
 */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  slug: 'com.docker.compose.slug',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  /** The ID of the image the container was made from: compose v2 recreates when the service's image has another. */
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The filter that selects one project's objects. */
export function projectFilter(project: string): Record<string, string[]> {
  return { label: [`${LABEL.project}=${project}`] };
}
