/**
 * Behaviour every Forge adapter must show, run against that forge's stateful HTTP double.
 * The fixture hides the forge-specific seeding; the assertions only use the Forge interface
 * plus a few read-only inspection helpers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchpinError } from '../../src/core/errors.js';
import type { Forge, ForgeTargets, Repository } from '../../src/apply/forges/forge.js';

export type SeedFiles = Readonly<Record<string, string | Uint8Array>>;

export interface ForgeContractFixture {
  readonly forge: Forge;
  /** A forge on the same server whose token the server rejects. */
  readonly badTokenForge: Forge;
  /** The rejected token, to check it never shows up in an error. */
  readonly badToken: string;
  /** Targets that cover every repository `seedRepo` creates (and nothing else). */
  readonly targets: ForgeTargets;
  /** Creates a repository named `name` with default branch `main` holding `files` in one commit. */
  seedRepo(name: string, files: SeedFiles, options?: { archived?: boolean }): Promise<Repository>;
  /** A commit on the default branch as a person would push it; returns the new head sha. */
  pushToDefaultBranch(repo: Repository, files: SeedFiles, message?: string): Promise<string>;
  /** Comments left on a change request, oldest first. */
  changeRequestComments(repo: Repository, number: number): Promise<string[]>;
  /** Whether auto-merge is switched on for a change request. */
  automergeEnabled(repo: Repository, number: number): Promise<boolean>;
  /** Makes the change request's CI pipeline exist, where the forge needs one before auto-merge (GitLab). */
  startPipeline?(repo: Repository, number: number): Promise<void>;
  teardown(): Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const BINARY = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x00, 0xc3, 0x28]);

const BASE_FILES: SeedFiles = {
  Dockerfile: 'FROM docker.io/library/node:20.11.1-bookworm\nRUN npm ci\n',
  'deploy/compose.yaml': 'services:\n  web:\n    image: registry.example.com/shop/web:1.4.2\n',
  'deploy/charts/web/values.yaml': 'image:\n  repository: registry.example.com/shop/web\n  tag: "1.4.2"\n',
  'assets/logo.png': BINARY,
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, got a result`);
    },
    (caught: unknown) => caught,
  );
  expect(isArchpinError(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as Error;
}

export function forgeContract(name: string, setup: () => Promise<ForgeContractFixture>): void {
  describe(`Forge contract: ${name}`, () => {
    let fx: ForgeContractFixture;
    beforeEach(async () => {
      fx = await setup();
    });
    afterEach(async () => {
      await fx.teardown();
    });

    describe('repositories', () => {
      it('lists the non-archived repositories of the targets, sorted by path', async () => {
        const web = await fx.seedRepo('web', { 'README.md': 'web\n' });
        const api = await fx.seedRepo('api', { 'README.md': 'api\n' });
        await fx.seedRepo('legacy', { 'README.md': 'old\n' }, { archived: true });
        const listed = await fx.forge.listRepositories(fx.targets);
        expect(listed).toEqual([api, web].sort((a, b) => (a.path < b.path ? -1 : 1)));
        expect(listed.map((repo) => repo.archived)).toEqual([false, false]);
        expect(listed.map((repo) => repo.defaultBranch)).toEqual(['main', 'main']);
      });

      it('gets one repository by id and reports an unknown one as forge-not-found', async () => {
        const web = await fx.seedRepo('web', { 'README.md': 'web\n' });
        expect(await fx.forge.getRepository(web.id)).toEqual(web);
        expect(web.path.endsWith('web')).toBe(true);
        expect(web.webUrl.length).toBeGreaterThan(0);
        await expectCode(fx.forge.getRepository('no-such-owner/no-such-repository'), 'forge-not-found');
      });

      it('rejects a bad token with forge-unauthorized and never repeats the token', async () => {
        await fx.seedRepo('web', { 'README.md': 'web\n' });
        const error = await expectCode(fx.badTokenForge.listRepositories(fx.targets), 'forge-unauthorized');
        expect(error.message).not.toContain(fx.badToken);
        expect(JSON.stringify(error)).not.toContain(fx.badToken);
      });
    });

    describe('trees and files', () => {
      it('lists every blob of the tree recursively', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        const tree = await fx.forge.listTree(repo, 'main');
        expect(tree.map((entry) => entry.path).sort()).toEqual(['Dockerfile', 'assets/logo.png', 'deploy/charts/web/values.yaml', 'deploy/compose.yaml']);
        for (const entry of tree) {
          const content = BASE_FILES[entry.path]!;
          const length = typeof content === 'string' ? bytes(content).length : content.length;
          expect(entry.size === null || entry.size === length).toBe(true);
        }
      });

      it('reads text and binary files byte for byte, null when missing', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        expect(await fx.forge.readFile(repo, 'deploy/compose.yaml', 'main')).toEqual(bytes(BASE_FILES['deploy/compose.yaml'] as string));
        expect(await fx.forge.readFile(repo, 'assets/logo.png', 'main')).toEqual(BINARY);
        expect(await fx.forge.readFile(repo, 'deploy/missing.yaml', 'main')).toBeNull();
      });

      it('reports a missing branch head as null', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        expect(await fx.forge.branchHead(repo, 'archpin/nothing-here')).toBeNull();
        const main = await fx.forge.branchHead(repo, 'main');
        expect(main?.sha).toMatch(/^[0-9a-f]{40}$/);
      });
    });

    describe('commits', () => {
      it('creates a branch with one commit on the base holding the new bytes', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        const base = (await fx.forge.branchHead(repo, 'main'))!;
        const compose = 'services:\n  web:\n    image: registry.example.com/shop/web:1.5.0@sha256:' + 'ab'.repeat(32) + '\n';
        const sha = await fx.forge.commitFiles(repo, {
          branch: 'archpin/shop-web-1.x',
          baseSha: base.sha,
          baseBranch: 'main',
          message: 'Update registry.example.com/shop/web to 1.5.0',
          files: [{ path: 'deploy/compose.yaml', content: bytes(compose) }],
        });
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(await fx.forge.branchHead(repo, 'archpin/shop-web-1.x')).toEqual({ sha, parents: [base.sha] });
        expect(await fx.forge.readFile(repo, 'deploy/compose.yaml', 'archpin/shop-web-1.x')).toEqual(bytes(compose));
        expect(await fx.forge.readFile(repo, 'assets/logo.png', 'archpin/shop-web-1.x')).toEqual(BINARY);
        expect(await fx.forge.readFile(repo, 'deploy/compose.yaml', 'main')).toEqual(bytes(BASE_FILES['deploy/compose.yaml'] as string));
        expect((await fx.forge.branchHead(repo, 'main'))!.sha).toBe(base.sha);
      });

      it('re-committing overwrites the branch with one commit on a new base', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        const first = (await fx.forge.branchHead(repo, 'main'))!;
        await fx.forge.commitFiles(repo, {
          branch: 'archpin/node-20.x',
          baseSha: first.sha,
          baseBranch: 'main',
          message: 'Update node to 20.12.0',
          files: [{ path: 'Dockerfile', content: bytes('FROM docker.io/library/node:20.12.0-bookworm\nRUN npm ci\n') }],
        });
        const movedBase = await fx.pushToDefaultBranch(repo, { 'deploy/compose.yaml': 'services:\n  web:\n    image: registry.example.com/shop/web:1.4.3\n' });
        const dockerfile = 'FROM docker.io/library/node:20.12.1-bookworm\nRUN npm ci\n';
        const sha = await fx.forge.commitFiles(repo, {
          branch: 'archpin/node-20.x',
          baseSha: movedBase,
          baseBranch: 'main',
          message: 'Update node to 20.12.1',
          files: [{ path: 'Dockerfile', content: bytes(dockerfile) }],
        });
        expect(await fx.forge.branchHead(repo, 'archpin/node-20.x')).toEqual({ sha, parents: [movedBase] });
        expect(await fx.forge.readFile(repo, 'Dockerfile', 'archpin/node-20.x')).toEqual(bytes(dockerfile));
        expect(await fx.forge.readFile(repo, 'deploy/compose.yaml', 'archpin/node-20.x')).toEqual(bytes('services:\n  web:\n    image: registry.example.com/shop/web:1.4.3\n'));
      });

      it('deletes a branch', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        const base = (await fx.forge.branchHead(repo, 'main'))!;
        await fx.forge.commitFiles(repo, {
          branch: 'archpin/old',
          baseSha: base.sha,
          baseBranch: 'main',
          message: 'Old update',
          files: [{ path: 'Dockerfile', content: bytes('FROM docker.io/library/node:18.20.4\n') }],
        });
        await fx.forge.deleteBranch(repo, 'archpin/old');
        expect(await fx.forge.branchHead(repo, 'archpin/old')).toBeNull();
      });
    });

    describe('change requests', () => {
      async function branchWithCommit(repo: Repository, branch: string): Promise<void> {
        const base = (await fx.forge.branchHead(repo, 'main'))!;
        await fx.forge.commitFiles(repo, {
          branch,
          baseSha: base.sha,
          baseBranch: 'main',
          message: `Update on ${branch}`,
          files: [{ path: 'Dockerfile', content: bytes(`FROM docker.io/library/node:20.12.1\n# ${branch}\n`) }],
        });
      }

      it('opens, finds and updates a change request', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        await branchWithCommit(repo, 'archpin/node-20.x');
        expect(await fx.forge.findChangeRequest(repo, 'archpin/node-20.x')).toBeNull();
        const opened = await fx.forge.openChangeRequest(repo, {
          branch: 'archpin/node-20.x',
          base: 'main',
          title: 'Update node to 20.12.1',
          body: '| image | from | to |\n|---|---|---|\n| node | 20.11.1 | 20.12.1 |\n',
          labels: ['dependencies', 'archpin'],
        });
        expect(opened).toMatchObject({
          branch: 'archpin/node-20.x',
          base: 'main',
          title: 'Update node to 20.12.1',
          body: '| image | from | to |\n|---|---|---|\n| node | 20.11.1 | 20.12.1 |\n',
          state: 'open',
        });
        expect([...opened.labels].sort()).toEqual(['archpin', 'dependencies']);
        expect(opened.number).toBeGreaterThan(0);
        expect(opened.url.length).toBeGreaterThan(0);
        expect(await fx.forge.findChangeRequest(repo, 'archpin/node-20.x')).toEqual(opened);

        const updated = await fx.forge.updateChangeRequest(repo, opened.number, { title: 'Update node to 20.12.2', labels: ['dependencies'] });
        expect(updated).toMatchObject({ number: opened.number, title: 'Update node to 20.12.2', body: opened.body, state: 'open' });
        expect(updated.labels).toEqual(['dependencies']);
        const rewritten = await fx.forge.updateChangeRequest(repo, opened.number, { body: 'New body\n' });
        expect(rewritten).toMatchObject({ title: 'Update node to 20.12.2', body: 'New body\n' });
        expect(await fx.forge.findChangeRequest(repo, 'archpin/node-20.x')).toEqual(rewritten);
      });

      it('refuses a second open change request from the same branch with forge-conflict', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        await branchWithCommit(repo, 'archpin/node-20.x');
        const input = { branch: 'archpin/node-20.x', base: 'main', title: 'Update node', body: 'b', labels: [] };
        await fx.forge.openChangeRequest(repo, input);
        await expectCode(fx.forge.openChangeRequest(repo, input), 'forge-conflict');
      });

      it('closes with a comment, and finds the newest change request of a branch in any state', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        await branchWithCommit(repo, 'archpin/node-20.x');
        const input = { branch: 'archpin/node-20.x', base: 'main', title: 'Update node to 20.12.1', body: 'first', labels: [] };
        const first = await fx.forge.openChangeRequest(repo, input);
        await fx.forge.closeChangeRequest(repo, first.number, 'Superseded by a newer update.');
        expect(await fx.changeRequestComments(repo, first.number)).toEqual(['Superseded by a newer update.']);
        const closed = await fx.forge.findChangeRequest(repo, 'archpin/node-20.x');
        expect(closed).toMatchObject({ number: first.number, state: 'closed' });

        const second = await fx.forge.openChangeRequest(repo, { ...input, body: 'second' });
        expect(second.number).not.toBe(first.number);
        expect(await fx.forge.findChangeRequest(repo, 'archpin/node-20.x')).toMatchObject({ number: second.number, state: 'open', body: 'second' });
        await fx.forge.closeChangeRequest(repo, second.number, null);
        expect(await fx.changeRequestComments(repo, second.number)).toEqual([]);
        expect(await fx.forge.findChangeRequest(repo, 'archpin/node-20.x')).toMatchObject({ number: second.number, state: 'closed' });
      });

      it('lists open change requests by branch prefix only', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        for (const branch of ['archpin/a', 'archpin/b', 'archpin/c', 'feature/archpin-x']) await branchWithCommit(repo, branch);
        const a = await fx.forge.openChangeRequest(repo, { branch: 'archpin/a', base: 'main', title: 'A', body: '', labels: [] });
        const b = await fx.forge.openChangeRequest(repo, { branch: 'archpin/b', base: 'main', title: 'B', body: '', labels: [] });
        const c = await fx.forge.openChangeRequest(repo, { branch: 'archpin/c', base: 'main', title: 'C', body: '', labels: [] });
        await fx.forge.openChangeRequest(repo, { branch: 'feature/archpin-x', base: 'main', title: 'X', body: '', labels: [] });
        await fx.forge.closeChangeRequest(repo, b.number, null);
        const open = await fx.forge.listOpenChangeRequests(repo, 'archpin/');
        expect(open.map((cr) => cr.branch).sort()).toEqual(['archpin/a', 'archpin/c']);
        expect(open.map((cr) => cr.number).sort((x, y) => x - y)).toEqual([a.number, c.number]);
        expect(open.every((cr) => cr.state === 'open')).toBe(true);
      });

      it('switches auto-merge on', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        await branchWithCommit(repo, 'archpin/node-20.x');
        const cr = await fx.forge.openChangeRequest(repo, { branch: 'archpin/node-20.x', base: 'main', title: 'Update node', body: '', labels: [] });
        expect(await fx.automergeEnabled(repo, cr.number)).toBe(false);
        await fx.startPipeline?.(repo, cr.number);
        expect(await fx.forge.enableAutomerge(repo, cr.number)).toBe('enabled');
        expect(await fx.automergeEnabled(repo, cr.number)).toBe(true);
      });
    });

    describe('issues', () => {
      it('finds the open issue with exactly the title, creates and updates it', async () => {
        const repo = await fx.seedRepo('web', BASE_FILES);
        expect(await fx.forge.findIssue(repo, 'Dependency Dashboard')).toBeNull();
        await fx.forge.createIssue(repo, 'Dependency Dashboard (archived)', 'old');
        expect(await fx.forge.findIssue(repo, 'Dependency Dashboard')).toBeNull();
        const created = await fx.forge.createIssue(repo, 'Dependency Dashboard', '## Open\n- [ ] node 20.12.1\n');
        expect(created).toMatchObject({ title: 'Dependency Dashboard', body: '## Open\n- [ ] node 20.12.1\n', state: 'open' });
        expect(created.number).toBeGreaterThan(0);
        expect(await fx.forge.findIssue(repo, 'Dependency Dashboard')).toEqual(created);
        const updated = await fx.forge.updateIssue(repo, created.number, '## Open\n_nothing_\n');
        expect(updated).toEqual({ ...created, body: '## Open\n_nothing_\n' });
        expect(await fx.forge.findIssue(repo, 'Dependency Dashboard')).toEqual(updated);
      });
    });
  });
}
