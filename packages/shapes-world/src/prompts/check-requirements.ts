import type { ObservedObject } from './observed-object.js';
import type { ExcludeRequirement, ObjectRequirement, PromptRequirements } from './prompt-requirements.js';
import { relationHolds } from './relation.js';

/** Result of {@link checkRequirements}. */
export interface RequirementCheck {
  readonly passed: boolean;
  /** One line per failed requirement, e.g. `expected ≥ 1 red circle, found 0`. Empty when passed. */
  readonly failures: readonly string[];
}

function matches(object: ObservedObject, requirement: ObjectRequirement | ExcludeRequirement): boolean {
  return (requirement.shape === undefined || object.shape === requirement.shape) && (requirement.color === undefined || object.color === requirement.color);
}

function describe(requirement: ObjectRequirement | ExcludeRequirement): string {
  return [requirement.color, requirement.shape ?? 'object'].filter(Boolean).join(' ');
}

/**
 * GenEval's rules on a set of objects (detected, or ground truth):
 * - include: at least `count` objects match the shape (and colour, when given);
 * - exclude: fewer than `count` objects match;
 * - position: every object matching the entry is in the relation to every object matching `include[target]`
 *   (centroids, ≥ 3 px; see `relationHolds`), and there is at least one of each.
 * The image passes only if every requirement holds.
 */
export function checkRequirements(objects: readonly ObservedObject[], requirements: PromptRequirements): RequirementCheck {
  const failures: string[] = [];
  const groups = requirements.include.map((requirement) => objects.filter((object) => matches(object, requirement)));
  requirements.include.forEach((requirement, index) => {
    const found = (groups[index] as ObservedObject[]).length;
    if (found < requirement.count) failures.push(`expected ≥ ${requirement.count} ${describe(requirement)}, found ${found}`);
  });
  for (const requirement of requirements.exclude) {
    const found = objects.filter((object) => matches(object, requirement)).length;
    if (found >= requirement.count) failures.push(`expected < ${requirement.count} ${describe(requirement)}, found ${found}`);
  }
  requirements.include.forEach((requirement, index) => {
    const position = requirement.position;
    if (!position) return;
    const subjects = groups[index] as ObservedObject[];
    const references = groups[position.target] ?? [];
    if (subjects.length === 0 || references.length === 0) return; // already reported as a count failure
    const holds = subjects.every((subject) => references.every((reference) => relationHolds(subject, reference, position.relation)));
    if (!holds) {
      const target = requirements.include[position.target] as ObjectRequirement;
      failures.push(`expected ${describe(requirement)} ${position.relation} ${describe(target)}`);
    }
  });
  return { passed: failures.length === 0, failures };
}
