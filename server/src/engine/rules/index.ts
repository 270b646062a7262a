import type { Config, RuleLevel } from '../config';
import type { Rule } from '../rule';
import { awaitHoldingLock } from './await-holding-lock';
import { blockingInAsync } from './blocking-in-async';
import { detachedTask } from './detached-task';
import { retryWithoutBackoff } from './retry-without-backoff';
import { unboundedFanOut } from './unbounded-fan-out';
import { unboundedChannel } from './unbounded-channel';

/** Every rule, in the order of the README's rule reference. */
export const RULES: readonly Rule[] = [awaitHoldingLock, blockingInAsync, unboundedChannel, unboundedFanOut, retryWithoutBackoff, detachedTask];

/** The rule with this id, if any. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The level a rule runs at under a config: the override if there is one, else its default. */
export function ruleLevel(rule: Rule, config: Config): RuleLevel {
  return config.rules[rule.id] ?? rule.defaultSeverity;
}
