import fc from 'fast-check';
import { replayParameters } from './fc-replay.ts';

// Applied to every fc.assert of the suite; a test's own parameters still win.
fc.configureGlobal({ ...fc.readConfigureGlobal(), ...replayParameters(process.env) });
