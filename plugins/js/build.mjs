// Builds a JavaScript topolint plugin into a WebAssembly component with componentize-js:
//   node build.mjs SOURCE.js OUTPUT.wasm
// The WIT is the repository's (wit/plugin.wit). Every optional engine feature is switched
// off: topolint's sandbox grants no clock, network or randomness, and a plugin must not
// need them; stdio stays, so a thrown error's message reaches the plugin-error finding.
import { componentize } from '@bytecodealliance/componentize-js';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const [source, output] = process.argv.slice(2);
if (!source || !output) {
  console.error('usage: node build.mjs SOURCE.js OUTPUT.wasm');
  process.exit(2);
}
const wit = resolve(fileURLToPath(new URL('../../wit', import.meta.url)));
const { component } = await componentize({
  sourcePath: resolve(source),
  witPath: wit,
  worldName: 'plugin',
  disableFeatures: ['random', 'clocks', 'http', 'fetch-event'],
});
await writeFile(output, component);
console.log(`${output}: ${component.length} bytes`);
