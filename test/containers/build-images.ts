// Build (or find) the container images of the tests: `node --import tsx test/containers/build-images.ts`.
// test/run-all.sh runs it before the container tests so build time shows on its own; the tests build
// what is missing themselves too. Exits 0 with a printed reason when podman is not usable here.
import { ensureImages } from './images.js';
import { podmanProblem } from './podman.js';

const problem = podmanProblem();
if (problem !== undefined) {
  console.log(`    [images] skipped: ${problem}`);
} else {
  const started = Date.now();
  const images = await ensureImages();
  console.log(
    `    [images] ${images.xbgpd}, ${images.peers} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
