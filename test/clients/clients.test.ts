/**
 * The client-library layer: real clients from packages — the Python Docker
 * SDK (python3-docker), dockerode (npm) and docker-compose 1.29 — driving a
 * private berthd and, when the host can run one, a private dockerd 20.10 with
 * the same cases, so every expectation is checked against dockerd as well.
 * One berthd and one dockerd serve the whole layer (starting daemons and
 * importing busybox is most of its cost); the two run side by side. Each
 * client's cases run in turn, and the cases where clients go away mid-stream
 * run last: today they can take berthd down, and must not take the others'
 * results with it. The dockerode sweep runs its calls on both daemons at once
 * and compares the answers, so it is declared once, among berthd's cases.
 */
import { describe } from 'node:test';
import { composeCases } from './compose.js';
import { composeSweepCases } from './compose-sweep.js';
import { dockerodeCases, dockerodeGoingAway } from './dockerode.js';
import { dockerodeSweep } from './dockerode-sweep-cases.js';
import { pythonCases, pythonGoingAway } from './python.js';
import { eachTarget } from './targets.js';

eachTarget('client libraries', (target, kind, other) => {
  pythonCases(target);
  dockerodeCases(target);
  if (kind === 'berthd') dockerodeSweep(target, other);
  composeCases(target);
  composeSweepCases(target);
  describe('clients that go away', () => {
    pythonGoingAway(target);
    dockerodeGoingAway(target);
  });
});
