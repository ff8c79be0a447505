/** The release this code is (package.json's version; a unit test keeps the two equal). */
export const VERSION = '1.0.0';
