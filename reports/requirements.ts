// What reports say about a requirement ID: its level, our one-line summary, and the link
// to its section of the spec at the release the catalogue follows.
import { INFERRED, requirementById, specUrl, type Level } from '../spec/index.js';

export interface RequirementInfo {
  id: string;
  /** Undefined for an ID the catalogue does not have (a report from another conform version). */
  level?: Level;
  /** The level is our reading (a field definition, a lower-case must), not a keyword of the sentence. */
  inferred?: boolean;
  summary?: string;
  url?: string;
}

export function requirementInfo(id: string): RequirementInfo {
  const req = requirementById(id);
  if (!req) return { id };
  return { id, level: req.level, ...(INFERRED.has(id) ? { inferred: true } : {}), summary: req.summary, url: specUrl(req) };
}

/** `config:process.umask (MUST) fail https://…#configProcess`: one line for text reports, with what a case found about it. */
export function requirementLine(id: string, found?: string, level?: string): string {
  const info = requirementInfo(id);
  const lvl = info.level ?? level;
  return [info.id, lvl ? `(${lvl}${info.inferred ? ', inferred' : ''})` : '', found ?? '', info.url ?? ''].filter(Boolean).join(' ');
}
