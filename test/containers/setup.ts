// Mocha root hooks of the container run (.mocharc.containers.json): before any suite, build or find the
// images (images.ts; no time limit, the build time is printed) and check that podman can run one of
// them here. When it cannot, the suites skip with the reason (podman.ts podmanProblem).
import { ensureImages } from './images.js';
import { noteUnusable, podman, podmanProblem } from './podman.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(0);
    const problem = podmanProblem();
    if (problem !== undefined) {
      console.log(`    [containers] skipped: ${problem}`);
      return;
    }
    const images = await ensureImages();
    try {
      await podman(['run', '--rm', '--network', 'none', images.peers, 'true']);
    } catch (err) {
      noteUnusable(`podman cannot run a container here: ${(err as Error).message}`);
    }
  },
};
