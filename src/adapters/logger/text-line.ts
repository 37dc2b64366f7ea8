import type { LogLine } from './json-logger.js';
import { visibleControls } from './visible-controls.js';

const LABEL = { debug: 'debug', info: '', warn: 'warning', error: 'error' } as const;

/**
 * Log records as lines for people, for a CLI's stderr: `prog: message` for info (retries, slow waits:
 * the message says it all), `prog warning: message {fields}` otherwise, fields as compact JSON (already
 * redacted). One record stays one line: newlines in the message are escaped, so a forged line cannot
 * pass for a record of its own, and other control characters are shown, not obeyed (see visibleControls).
 */
export function textLine(program: string): (line: LogLine) => string {
  return ({ level, message, fields }) => {
    const head = LABEL[level] === '' ? `${program}:` : `${program} ${LABEL[level]}:`;
    const text = message.replace(/\r?\n/g, '\\n');
    const details = level !== 'info' && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    return visibleControls(`${head} ${text}${details}`);
  };
}
