/**
 * Who may do what, as Harbor decides it: the system admin everything; on a
 * project, its members by role (projectAdmin and maintainer pull, push and
 * delete; developer pull and push; guest pull), its robots what they were
 * given; everyone (anonymous included) may pull from a public project.
 * The first path segment of a repository names its project.
 */

export const ROLES = ['projectAdmin', 'maintainer', 'developer', 'guest'] as const;
export type Role = (typeof ROLES)[number];

export const ROBOT_ACTIONS = ['pull', 'push', 'delete'] as const;
export type RepoAction = (typeof ROBOT_ACTIONS)[number];

const ROLE_ACTIONS: Record<Role, RepoAction[]> = {
  projectAdmin: ['pull', 'push', 'delete'],
  maintainer: ['pull', 'push', 'delete'],
  developer: ['pull', 'push'],
  guest: ['pull'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export type Principal = { kind: 'user'; name: string; admin: boolean } | { kind: 'robot'; name: string; project: string; actions: RepoAction[] };

/** What a project's permissions are decided from. */
export interface ProjectPolicy {
  public: boolean;
  members: Record<string, Role>;
}

/** Harbor's robot login name: robot$<project>+<name>. */
export function robotLogin(project: string, name: string): string {
  return `robot$${project}+${name}`;
}

/** The project of a repository name, or undefined for a name without one (only the admin may use those). */
export function projectOf(repository: string): string | undefined {
  const slash = repository.indexOf('/');
  return slash > 0 ? repository.slice(0, slash) : undefined;
}

export function principalName(p: Principal | undefined): string | undefined {
  if (!p) return undefined;
  return p.kind === 'user' ? p.name : robotLogin(p.project, p.name);
}

/** The actions `who` has on project `name` (undefined when there is no such project). */
export function projectActions(who: Principal | undefined, name: string, project: ProjectPolicy | undefined): Set<RepoAction> {
  const out = new Set<RepoAction>();
  if (!project) return out;
  if (project.public) out.add('pull');
  if (who?.kind === 'user' && who.admin) return new Set(['pull', 'push', 'delete']);
  if (who?.kind === 'user') {
    const role = project.members[who.name];
    if (role) for (const a of ROLE_ACTIONS[role]) out.add(a);
  }
  if (who?.kind === 'robot' && who.project === name) for (const a of who.actions) out.add(a);
  return out;
}

/** Managing a project (members, robots, visibility): the admin and the project's projectAdmins. */
export function mayManage(who: Principal | undefined, project: ProjectPolicy): boolean {
  return who?.kind === 'user' && (who.admin || project.members[who.name] === 'projectAdmin');
}

/** Seeing a project at all (listings, the catalog, search): public ones, or any access. */
export function maySee(who: Principal | undefined, name: string, project: ProjectPolicy): boolean {
  return projectActions(who, name, project).size > 0 || (who?.kind === 'user' && project.members[who.name] !== undefined);
}
