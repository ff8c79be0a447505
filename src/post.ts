// Entry point of the post step (revoke: true).
import { runPost } from './lib/post.js';

await runPost();
