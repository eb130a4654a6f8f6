/** The CLI's own version, shown by `berth --version` and `berth version`. */
export const BERTH_VERSION = '0.1.0';
/** The binary name used in every message (docker says `docker`). */
export const PROGRAM = 'berth';
export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';
