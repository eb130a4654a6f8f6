import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ContainerDirectory, ContainerFacts } from './types.js';
import { notFound } from '../../lib/errors.js';

/** Test helpers: fake containers (just ids), and echo servers run inside a netns. */

export function fakeDirectory(): ContainerDirectory & { add(name: string, extra?: Partial<ContainerFacts>): ContainerFacts; etcFiles: Map<string, { hosts: string; resolvConf: string }> } {
  const byId = new Map<string, ContainerFacts>();
  const etcFiles = new Map<string, { hosts: string; resolvConf: string }>();
  return {
    etcFiles,
    async updateEtcFiles(id, contents) {
      etcFiles.set(id, contents);
    },
    add(name, extra = {}) {
      const facts: ContainerFacts = { id: randomBytes(32).toString('hex'), name, running: true, pid: 0, env: [], exposedPorts: [], ...extra };
      byId.set(facts.id, facts);
      return facts;
    },
    async lookup(idOrName) {
      const found = [...byId.values()].find((f) => f.id === idOrName || f.name === idOrName || (idOrName.length >= 4 && f.id.startsWith(idOrName)));
      if (!found) throw notFound(`No such container: ${idOrName}`);
      return found;
    },
  };
}

const ECHO_SERVER = `
const net = require('net'), dgram = require('dgram');
const port = Number(process.argv[1]), tag = process.argv[2];
net.createServer((s) => { s.end(tag + ' tcp ' + s.remoteAddress + '\\n'); }).listen(port, () => {
  dgram.createSocket('udp4').on('message', function (m, r) { this.send(tag + ' udp', r.port, r.address); }).bind(port, () => console.log('ready'));
});`;

/** A TCP+UDP server inside `netns` answering "<tag> tcp <peer>" / "<tag> udp"; resolves once it listens. */
export function echoServer(netns: string, port: number, tag: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', ECHO_SERVER, String(port), tag], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });
}
