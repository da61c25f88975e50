// Every static config.json rule, in the order their problems are reported.
import type { Config } from '../config.js';
import type { Problem } from '../problem.js';
import { topLevelRules } from './config-top.js';
import { deviceResourceRules } from './devices-resources.js';
import { namespaceRules } from './namespaces.js';
import { processRules } from './process.js';
import { rootMountRules } from './root-mounts.js';
import { contextFor, runRules, type Rule } from './rule.js';
import { securityRules } from './security.js';

export const CONFIG_RULES: readonly Rule[] = [
  ...topLevelRules,
  ...rootMountRules,
  ...processRules,
  ...namespaceRules,
  ...deviceResourceRules,
  ...securityRules,
];

/** The static rules' problems for a config (schema problems are separate: see schemas/validate.ts). */
export function checkConfigRules(config: unknown, bundleDir?: string): Problem[] {
  return runRules(CONFIG_RULES, config, contextFor(config as Config, bundleDir));
}

export type { Rule, RuleContext, Finding } from './rule.js';
