/** `berth compose unpause`: defined with pause, which it mirrors. */
export { unpauseCommand } from './pause.js';
