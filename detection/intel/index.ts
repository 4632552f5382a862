// Public API of the threat-intel library (IOC loaders, placeholders for rules) and the rule-set builder/reloader.
export { IntelError, INTEL_ERROR_CODES, type IntelErrorCode } from './errors.ts';
export { classify, normalise, IOC_TYPES, type Indicator, type IocType } from './indicator.ts';
export { parsePlainList, type ParseResult } from './plain.ts';
export { parseStixBundle, parseStixPattern } from './stix.ts';
export { parseMispExport, isMispExport } from './misp.ts';
export { loadIntel, parseIntelText, intelVars, intelPipeline, intelCounts, listName, EMPTY_VALUE, EMPTY_CIDR, type IntelSet, type IntelFileReport } from './intel.ts';
export { buildRuleSet, loadRulePaths, DEFAULT_PIPELINES, DEFAULT_INTEL, type RuleSet, type RuleSetSources } from './ruleset.ts';
export { RuleSetReloader, fingerprint, type ReloadOutcome } from './reload.ts';
