/**
 * The release this code is: `unreleased` on main, the version X.Y.Z in a release (the release
 * workflow's `node scripts/release.mjs stamp` writes it here, in package.json, where main says
 * 0.0.0-unreleased, and in the component's cli-version; a unit test keeps them equal).
 */
export const VERSION: string = 'unreleased';
