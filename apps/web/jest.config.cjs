const { jestConfig } = require('../../jest.preset.cjs');

const base = jestConfig(__dirname);
module.exports = {
  ...base,
  // The ICU parser (messages.spec.ts) ships only as ES modules: compiled to CommonJS like our own.
  transformIgnorePatterns: ['/node_modules/(?!(@formatjs|intl-messageformat)/)'],
};
