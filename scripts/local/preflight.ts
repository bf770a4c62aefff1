/**
 * First step of `npm test`: fails at once, with one line, when a tool the tests need is missing,
 * instead of a run that ends in scattered failures a minute later.
 */
import { missingToolsMessage } from './tools.ts';

const message = missingToolsMessage();
if (message !== '') {
  console.error(`npm test: ${message}`);
  process.exitCode = 1;
}
