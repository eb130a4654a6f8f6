import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mayManage, maySee, projectActions, type Principal, type ProjectPolicy } from './permissions.js';

const team: ProjectPolicy = { public: false, members: { pat: 'projectAdmin', max: 'maintainer', dev: 'developer', gus: 'guest' } };
const user = (name: string, admin = false): Principal => ({ kind: 'user', name, admin });
const actions = (who: Principal | undefined, project: ProjectPolicy = team, name = 'team') => [...projectActions(who, name, project)].sort();

describe('registry permissions (Harbor roles)', () => {
  it('gives each role its actions: project admin and maintainer pull, push and delete; developer pull and push; guest pull', () => {
    assert.deepEqual(actions(user('pat')), ['delete', 'pull', 'push']);
    assert.deepEqual(actions(user('max')), ['delete', 'pull', 'push']);
    assert.deepEqual(actions(user('dev')), ['pull', 'push']);
    assert.deepEqual(actions(user('gus')), ['pull']);
    assert.deepEqual(actions(user('stranger')), []);
    assert.deepEqual(actions(user('root', true)), ['delete', 'pull', 'push']);
  });

  it('lets anyone pull from a public project, anonymous callers included, and nothing more', () => {
    const open = { ...team, public: true };
    assert.deepEqual(actions(undefined, open), ['pull']);
    assert.deepEqual(actions(user('stranger'), open), ['pull']);
    assert.deepEqual(actions(undefined), []);
    assert.equal(maySee(undefined, 'team', open), true);
    assert.equal(maySee(undefined, 'team', team), false);
    assert.equal(maySee(user('gus'), 'team', team), true);
  });

  it('gives a robot what it was given, in its own project only', () => {
    const robot: Principal = { kind: 'robot', name: 'ci', project: 'team', actions: ['pull', 'push'] };
    assert.deepEqual(actions(robot), ['pull', 'push']);
    assert.deepEqual(actions(robot, team, 'other'), []);
  });

  it('lets only the admin and project admins manage the project', () => {
    assert.equal(mayManage(user('root', true), team), true);
    assert.equal(mayManage(user('pat'), team), true);
    for (const name of ['max', 'dev', 'gus', 'stranger']) assert.equal(mayManage(user(name), team), false, name);
    assert.equal(mayManage(undefined, team), false);
  });
});
