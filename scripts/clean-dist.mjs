// Before `npm run bundle`: removes the numbered chunk files (`<n>.index.js`) an earlier bundle
// left in dist/, which ncc never deletes, so that dist/ holds exactly what a fresh bundle makes.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

for (const dir of ['dist', 'dist/post', 'dist/cli']) {
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir)) {
    if (/^\d+\.index\.js$/.test(file)) rmSync(join(dir, file));
  }
}
