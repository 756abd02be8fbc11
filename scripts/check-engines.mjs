// CI: package.json `engines.node` promises only Node versions every installed package supports.
//
// Every package.json under node_modules (scoped and nested ones included) that declares
// `engines.node` is checked against the versions archpin's own range admits: its lower bound, and
// the first release of each LTS line (even majors) from there up to the line the Dockerfile's base
// image runs. A package that refuses one of them is listed with its range, and the step fails.
// The Dockerfile's line must itself be inside archpin's range.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filled, parts, satisfies } from './node-range.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every package.json under node_modules that declares engines.node. */
function installedEngines(directory, found = []) {
  if (!existsSync(directory)) return found;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const location = path.join(directory, entry.name);
    if (entry.name.startsWith('@')) {
      installedEngines(location, found);
      continue;
    }
    const manifest = path.join(location, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (typeof engines?.node === 'string') found.push({ name, version, range: engines.node, where: path.relative(root, location) });
    installedEngines(path.join(location, 'node_modules'), found);
  }
  return found;
}

const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
const lower = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(own ?? '');
if (!lower) {
  console.error(`package.json engines.node is ${JSON.stringify(own)}; this check reads a lower bound of the form ">=22.13"`);
  process.exit(1);
}
const minimum = filled(parts(lower[1]));
const base = /^FROM node:(\d+)-/m.exec(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
if (!base) {
  console.error('the Dockerfile has no FROM node:<major>-… line');
  process.exit(1);
}
const newest = Number(base[1]);
if (!satisfies([newest, 0, 0], own) || newest % 2 !== 0) {
  console.error(`the Dockerfile's base runs Node ${newest}, which is not an LTS line inside engines.node ${own}`);
  process.exit(1);
}
const probes = [minimum];
for (let major = minimum[0] + 1; major <= newest; major++) if (major % 2 === 0) probes.push([major, 0, 0]);

const packages = installedEngines(path.join(root, 'node_modules'));
const refused = [];
for (const entry of packages) {
  let misses;
  try {
    misses = probes.filter((probe) => !satisfies(probe, entry.range));
  } catch (error) {
    refused.push(`${entry.where} (${entry.name}@${entry.version}): engines.node ${JSON.stringify(entry.range)}: ${error.message}`);
    continue;
  }
  if (misses.length > 0) refused.push(`${entry.where} (${entry.name}@${entry.version}): engines.node ${JSON.stringify(entry.range)} refuses Node ${misses.map((v) => v.join('.')).join(', ')}`);
}
const shown = probes.map((probe) => probe.join('.')).join(', ');
if (refused.length > 0) {
  console.error(`engines.node ${own} admits Node versions that installed packages refuse (checked ${shown}):`);
  for (const line of refused) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`engines.node ${own}: all ${packages.length} installed packages that declare engines.node accept Node ${shown}`);
