/** Today's (before issue 15) way to get undici's Agent: the package's entry point, all of undici. */
export { Agent } from 'undici';
