import { describe, expect, it } from '@jest/globals';
import { visibleControls } from '../../../src/adapters/logger/visible-controls.js';

describe('visibleControls: text from a server, made safe to print on a terminal', () => {
  it('shows C0 controls as control pictures, DEL as ␡ and C1 controls as \\xNN', () => {
    expect(visibleControls('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009bg')).toBe('a␀b␇c␛d␡e\\x85f\\x9bg');
    expect(visibleControls('\r\t')).toBe('␍␉');
  });

  it('keeps newlines (multi-line cells and details) and every printable character', () => {
    const printable = 'línea 1\nzeile 2 → ✓ 日本語 😀 ~!@#$%^&*()_+{}|:"<>?';
    expect(visibleControls(printable)).toBe(printable);
  });

  it('leaves no character a terminal interprets, for any code unit', () => {
    let all = '';
    for (let code = 0; code < 0x200; code++) all += String.fromCharCode(code);
    const shown = visibleControls(all);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(shown.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(shown.split('\n')).toHaveLength(2);
  });
});
