import type { Rule, Vacation } from '../rules.js';

/** A user's mail filter rules (run top to bottom) and vacation reply, as the rule editors show them. */
export interface RuleModel {
  rules: Rule[];
  vacation?: Vacation;
}

/** One change a rule editor (CLI, admin UI, webmail) makes. Rules are named by id. */
export type RuleEdit =
  | { op: 'add'; rule: Omit<Rule, 'id'>; /** 0-based; the end by default. */ position?: number }
  | { op: 'remove'; id: string }
  | { op: 'enable'; id: string }
  | { op: 'disable'; id: string }
  | { op: 'move'; id: string; position: number }
  | { op: 'vacation'; vacation: Vacation | null };

export class RuleEditError extends Error {
  override name = 'RuleEditError';
}

export function emptyModel(): RuleModel {
  return { rules: [] };
}

/** The model after `edit`; the input is not changed. Ids are small numbers, never reused while the rule exists. */
export function applyRuleEdit(model: RuleModel, edit: RuleEdit): RuleModel {
  const rules = [...model.rules];
  const at = (id: string): number => {
    const i = rules.findIndex((r) => r.id === id);
    if (i < 0) throw new RuleEditError(`there is no rule ${id}`);
    return i;
  };
  const place = (p: number | undefined) =>
    p === undefined ? rules.length : Math.max(0, Math.min(rules.length, Math.trunc(p)));
  switch (edit.op) {
    case 'add': {
      const id = String(1 + Math.max(0, ...rules.map((r) => Number(r.id)).filter(Number.isFinite)));
      rules.splice(place(edit.position), 0, { ...edit.rule, id });
      break;
    }
    case 'remove':
      rules.splice(at(edit.id), 1);
      break;
    case 'enable':
    case 'disable': {
      const i = at(edit.id);
      rules[i] = { ...rules[i]!, enabled: edit.op === 'enable' };
      break;
    }
    case 'move': {
      const [r] = rules.splice(at(edit.id), 1);
      rules.splice(place(edit.position), 0, r!);
      break;
    }
    case 'vacation':
      return edit.vacation ? { rules, vacation: edit.vacation } : { rules };
  }
  return model.vacation ? { rules, vacation: model.vacation } : { rules };
}
