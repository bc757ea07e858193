// Three tiers, one runner: unit specs beside the code, integration and end-to-end in test/.
const moduleNameMapper = {
  '^#domain$': '<rootDir>/libs/domain/src/index.ts',
  '^#contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^#email$': '<rootDir>/libs/email/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] };
const common = { rootDir: '.', testEnvironment: 'node', moduleNameMapper, transform };

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'agents', testMatch: ['<rootDir>/test/model-server/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
