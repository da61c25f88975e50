// Text helpers shared by the reporters: every report has places where text must stay on
// one line (a TAP test line, an XML attribute, a console row) and must never carry raw
// control characters (a runtime's stderr can contain ANSI codes or NULs).

import type { RuntimeInfo } from '../harness/run/result.js';

// C0 (except tab and line breaks, handled first), DEL, C1, and the Unicode line/paragraph
// separators, which some terminals and YAML 1.1 readers treat as line breaks.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;
const LINE_BREAK = /\r\n|\r|\n/g;

/** `\x1b`, `\u2028`: how every report shows a character it cannot or should not carry raw. */
export function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Makes control characters visible so that nothing reaches a report raw. */
export function showControls(text: string): string {
  return text.replace(CONTROL, visibleEscape);
}

/**
 * Keeps text on one line without trimming it (for pieces of a line, e.g. indentation):
 * line breaks become `joiner`, tabs a space, other control characters visible escapes.
 */
export function singleLine(text: string, joiner = ' '): string {
  return showControls(text.replace(LINE_BREAK, joiner).replace(/\t/g, ' '));
}

/** `singleLine` for a whole value: trimmed, and the spaces around each line break collapsed. */
export function oneLine(text: string, joiner = ' '): string {
  return singleLine(text.trim().replace(/[ \t]*(?:\r\n|\r|\n)[ \t]*/g, '\n'), joiner);
}

/** Width in terminal columns, counted in code points (our ids and messages are not CJK-heavy). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Cuts text to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (visibleLength(text) <= width) return text;
  return [...text].slice(0, width - 1).join('') + '…';
}

/** `850 ms`, `12.3 s`, `2m 05s`, `1h 02m`: precise when short, readable when long. */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (safe < 1000) return `${Math.round(safe)} ms`;
  if (safe < 60_000) return `${(safe / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(safe / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** JUnit and similar formats want seconds with a fixed precision. */
export function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/** `/usr/bin/runc --systemd-cgroup (runc version 1.1.5)`: the runtime as a user would type it. */
export function describeRuntime(runtime: RuntimeInfo): string {
  const words = [runtime.path, ...runtime.args].map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w)));
  const version = runtime.version ? ` (${runtime.version})` : '';
  return oneLine(words.join(' ') + version);
}

/** Sorts by case id; ties keep their order, so a report is the same however the run was scheduled. */
export function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
