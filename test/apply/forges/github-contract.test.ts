import { createGithubForge } from '../../../src/apply/forges/github.js';
import { forgeContract } from '../../support/forge-contract.js';
import { startGithubDouble } from '../../support/github-double.js';

const TOKEN = 'contract-token-51c0de';
const BAD_TOKEN = 'revoked-token-9e77aa';

forgeContract('GitHub', async () => {
  const double = await startGithubDouble({ tokens: [TOKEN] });
  double.state.addAccount('acme', 'Organization');
  const options = { url: double.url, throttle: false, waitScaleMs: 1 } as const;
  const forge = createGithubForge({ ...options, token: TOKEN });
  return {
    forge,
    badTokenForge: createGithubForge({ ...options, token: BAD_TOKEN }),
    badToken: BAD_TOKEN,
    targets: { owners: ['acme'] },
    async seedRepo(name, files, seed) {
      double.state.addRepo(`acme/${name}`, { files, archived: seed?.archived ?? false });
      return forge.getRepository(`acme/${name}`);
    },
    async pushToDefaultBranch(repo, files, message) {
      return double.state.pushCommit(repo.path, repo.defaultBranch, files, message);
    },
    async changeRequestComments(repo, number) {
      return double.state.item(repo.path, number).comments.map((comment) => comment.body);
    },
    async automergeEnabled(repo, number) {
      return double.state.item(repo.path, number).pull?.autoMerge != null;
    },
    teardown: () => double.stop(),
  };
});
