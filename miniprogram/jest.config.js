/**
 * Five projects: `unit` (the plain modules under lib/, in Node), `ui` (the seat-map component
 * and every page rendered by miniprogram-simulate in jsdom, against a scripted fake `wx`),
 * `compile` (every page and component through WeChat's own compilers, wcc and wcsc),
 * `pictures` (every page rendered with the demo's data, screenshotted in headless Chromium and
 * checked as laid out) and `e2e` (the real pages against a real seatcore service through a Node
 * `wx` shim).
 */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/unit/**/*.test.js'],
    },
    {
      displayName: 'ui',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/components/**/*.test.js', '<rootDir>/tests/pages/**/*.test.js'],
      setupFiles: ['<rootDir>/tests/support/setup-ui.js'],
    },
    {
      displayName: 'compile',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/compile/**/*.test.js'],
    },
    {
      displayName: 'pictures',
      testEnvironment: 'jsdom',
      // puppeteer-core needs Node's builds of its dependencies, not the browser stubs.
      testEnvironmentOptions: { customExportConditions: ['node', 'node-addons'] },
      testMatch: ['<rootDir>/tests/pictures/**/*.test.js'],
      setupFiles: ['<rootDir>/tests/support/setup-ui.js'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'jsdom',
      // The shim needs Node's builds of `ws`, not the browser stub jsdom would pick.
      testEnvironmentOptions: { customExportConditions: ['node', 'node-addons'] },
      testMatch: ['<rootDir>/tests/e2e/**/*.test.js'],
      setupFiles: ['<rootDir>/tests/support/setup-ui.js'],
      globalSetup: '<rootDir>/tests/e2e/global-setup.js',
      globalTeardown: '<rootDir>/tests/e2e/global-teardown.js',
    },
  ],
}
