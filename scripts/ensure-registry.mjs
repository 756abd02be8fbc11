#!/usr/bin/env node
// Makes sure the real servers the test suite starts, and their tools, are installed:
//   docker-registry  the CNCF distribution server (Debian package `docker-registry`)
//   openssl          self-signed certificate for the bearer-token auth tests
//   htpasswd         bcrypt password file for the basic auth tests (Debian package `apache2-utils`)
//   redis-server     the queue and shared cache of the distributed bot (Debian package `redis-server`)
//   git              builds the work trees of the tree-walk tests (Debian package `git`)
// Missing ones are installed with apt-get (as root, or through sudo when available).
// The Debian packages' system services must not start (docker-registry would listen on :5000 on
// every interface, redis-server on :6379): while installing, a temporary /usr/sbin/policy-rc.d
// forbids service starts, unless the machine already has one. The tests run their own
// `docker-registry serve` and `redis-server` on 127.0.0.1 with throw-away configurations.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const NEEDED = [
  { command: 'docker-registry', pkg: 'docker-registry' },
  { command: 'openssl', pkg: 'openssl' },
  { command: 'htpasswd', pkg: 'apache2-utils' },
  { command: 'redis-server', pkg: 'redis-server' },
  { command: 'git', pkg: 'git' },
];

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function fail(message) {
  console.error(`ensure-registry: ${message}`);
  process.exit(1);
}

const missing = NEEDED.filter((tool) => !onPath(tool.command));
if (missing.length === 0) {
  console.log(`ensure-registry: ${NEEDED.map((tool) => tool.command).join(', ')} are already installed`);
  process.exit(0);
}

const packages = [...new Set(missing.map((tool) => tool.pkg))];
const manual = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
if (!onPath('apt-get')) {
  fail(`missing ${missing.map((t) => t.command).join(', ')} and apt-get is not available; install the equivalent of: ${manual}`);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const prefix = isRoot ? [] : onPath('sudo') ? ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'] : null;
if (prefix === null) {
  fail(`missing ${packages.join(', ')}; not running as root and sudo is not available. As root, run: ${manual}`);
}

function run(args) {
  const [command, ...rest] = [...prefix, ...args];
  const result = spawnSync(command, rest, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`\`${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}); as root, run: ${manual}`);
  }
}

const POLICY = '/usr/sbin/policy-rc.d';
const guardServices = !existsSync(POLICY);
let failure;
try {
  if (guardServices) run(['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${POLICY} && chmod 755 ${POLICY}`]);
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
} catch (error) {
  failure = error;
}
if (guardServices) {
  try {
    run(['rm', '-f', POLICY]);
  } catch {
    console.error(`ensure-registry: could not remove the temporary ${POLICY}; remove it by hand`);
  }
}
if (failure !== undefined) fail(failure.message);

const stillMissing = NEEDED.filter((tool) => !onPath(tool.command));
if (stillMissing.length > 0) {
  fail(`installed ${packages.join(', ')} but ${stillMissing.map((t) => t.command).join(', ')} is still not on PATH`);
}
console.log(`ensure-registry: installed ${packages.join(', ')} with apt-get`);
