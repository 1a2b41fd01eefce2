declare const __PACKAGE_VERSION__: string | undefined;

/** The package version, injected at build time by tsup. */
export const VERSION: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-source';
