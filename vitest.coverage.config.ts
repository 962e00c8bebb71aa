import { suiteConfig } from './vitest.config.ts';

// `npm run test:coverage`: V8's coverage is mapped back to the TypeScript through Vite's pipeline,
// so every tier loads its modules through Vite's module runner here.
export default suiteConfig({ isolatePure: false, nativeLoad: false });
