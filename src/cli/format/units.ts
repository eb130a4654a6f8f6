/** go-units formatting lives in src/lib (the daemon needs it too); re-exported for the CLI. */
export * from '../../lib/units.js';
