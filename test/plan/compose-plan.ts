/** A compose file with six images, and the updates a lookup would plan for it. */
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import type { PlannedUpdate } from '../../src/core/planned.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanFiles } from '../../src/scan/scan-files.js';

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const D3 = `sha256:${'3'.repeat(64)}`;
export const D4 = `sha256:${'4'.repeat(64)}`;
export const D5 = `sha256:${'5'.repeat(64)}`;
export const D6 = `sha256:${'6'.repeat(64)}`;
export const D7 = `sha256:${'7'.repeat(64)}`;

export const COMPOSE = [
  'services:',
  '  web:',
  '    image: docker:27.0.3',
  '  dind:',
  '    image: docker:27.0.3-dind',
  '  api:',
  '    image: ghcr.io/acme/api:v1.9.0',
  '  grafana:',
  '    image: grafana/grafana:10.4.0',
  '  prometheus:',
  `    image: prom/prometheus:v2.50.0@${D1}`,
  '  proxy:',
  `    image: nginx:1.25.3@${D2}`,
  '',
].join('\n');

/** The updates a lookup would plan for COMPOSE: each image with its proposal, by `repository:tag`. */
export function planned(proposals: Record<string, Pick<Proposal, 'tag' | 'digest' | 'updateType'> & Partial<Proposal>>): readonly PlannedUpdate[] {
  const references = scanFiles([sourceFile('compose.yaml', new Uint8Array(Buffer.from(COMPOSE)))]).references;
  const results = dependenciesOf(references).map((dependency) => {
    const wanted = proposals[`${dependency.location.repository}:${dependency.tag}`];
    return { dependency, update: wanted ? { platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'], ...wanted } : null, held: [], error: null };
  });
  return planUpdates(results).updates;
}
