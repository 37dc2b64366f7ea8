/** C0 controls except the newline, DEL, and C1 controls: what a terminal acts on instead of showing. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text that came from elsewhere (a server's message, a run name, a model's output), made safe to print
 * on a terminal: an escape sequence could otherwise recolour or clear the screen, or a carriage return
 * overwrite a line (a confirmation listing one checkpoint while another is deleted). C0 controls show
 * as their Unicode control pictures (ESC as ␛), DEL as ␡, C1 controls as `\xNN`; newlines are kept.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROLS, shown);
}

function shown(control: string): string {
  const code = control.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\x${code.toString(16)}`;
}
