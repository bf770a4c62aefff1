#!/usr/bin/env node
// The package's `bin`: runs the TypeScript CLI (src/cli/main.ts) directly with Node's own type
// stripping (Node 22.18+ and 24 strip types by default), as the rest of the project runs. Kept in
// plain JavaScript so an older Node gets this message instead of a syntax error.
if (!process.features.typescript) {
  console.error(
    `slscheckpoint needs a Node.js that runs TypeScript (22.18 or newer; 24 recommended), not ${process.version}. ` +
      'Inside the project, `npx slscheckpoint` uses the Node 24 that npm installs.',
  );
  process.exit(4);
}
await import('../src/cli/main.ts');
