const { jestConfig } = require('../../jest.preset.cjs');

const base = jestConfig(__dirname);
module.exports = {
  ...base,
  // The ICU parser (messages.spec.ts) and next-intl (the help modules' English translator in unit
  // tests) ship only as ES modules: compiled to CommonJS like our own.
  transformIgnorePatterns: ['/node_modules/(?!(@formatjs|intl-messageformat|next-intl|use-intl)/)'],
};
