/**
 * The dockerode sweep: the calls people make, each on berthd and on dockerd
 * 20.10 at once, their answers compared (dockerode-sweep.ts). Skipped where
 * this host cannot run a private dockerd, since dockerd's answer is the
 * expectation.
 */
import { describe } from 'node:test';
import { dockerdSkipReason } from '../integration/harness.js';
import { CONTAINER_CASES } from './dockerode-containers.js';
import { IMAGE_CASES } from './dockerode-images.js';
import { RESOURCE_CASES } from './dockerode-resources.js';
import { sweep } from './dockerode-sweep.js';
import type { Target } from './targets.js';

export function dockerodeSweep(berthd: () => Target, dockerd: () => Target): void {
  describe('dockerode sweep: berthd answers as dockerd 20.10', { skip: dockerdSkipReason() }, () => {
    describe('containers', () => sweep(CONTAINER_CASES, berthd, dockerd));
    describe('images', () => sweep(IMAGE_CASES, berthd, dockerd));
    describe('networks, volumes, system', () => sweep(RESOURCE_CASES, berthd, dockerd));
  });
}
