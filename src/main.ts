// Entry point of the main step: everything happens in the library.
import { runMain } from './lib/action.js';

await runMain();
