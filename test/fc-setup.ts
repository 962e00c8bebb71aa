import fc from 'fast-check';
import { fcParams } from '../harness/fc-runs.ts';

// Every fc.assert of the suite follows the run profile and replays FC_SEED / FC_PATH, also
// those that pass no parameters of their own; a test's own parameters still win.
fc.configureGlobal({ ...fc.readConfigureGlobal(), ...fcParams() });
