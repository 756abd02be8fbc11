import { createGitlabForge } from '../../../src/apply/forges/gitlab.js';
import { forgeContract } from '../../support/forge-contract.js';
import { GITLAB_TEST_TOKEN, startGitlabDouble } from '../../support/gitlab-double.js';

forgeContract('gitlab', async () => {
  const double = await startGitlabDouble();
  const forge = createGitlabForge({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
  const badToken = 'glpat-Expired0Token9xYz';
  const badTokenForge = createGitlabForge({ url: double.url, token: badToken, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
  // Something outside the targets, to show listing stays inside them.
  double.state.addProject('other/unrelated', { files: { 'README.md': 'elsewhere\n' } });
  return {
    forge,
    badTokenForge,
    badToken,
    targets: { groups: ['acme'] },
    async seedRepo(name, files, options = {}) {
      const project = double.state.addProject(`acme/platform/${name}`, { files, archived: options.archived ?? false });
      return forge.getRepository(String(project.id));
    },
    async pushToDefaultBranch(repo, files, message) {
      return double.state.push(repo.id, files, message);
    },
    async changeRequestComments(repo, number) {
      return double.state.mergeRequest(repo.id, number).notes.map((note) => note.body);
    },
    async automergeEnabled(repo, number) {
      return double.state.mergeRequest(repo.id, number).mergeWhenPipelineSucceeds;
    },
    async startPipeline(repo, number) {
      double.state.startPipeline(repo.id, number);
    },
    teardown: () => double.stop(),
  };
});
