/**
 * Which attributes are the target and the bias(es). With one folder per class the class folder is the target
 * unless the user names an attribute; with one folder of images (CelebA) the user names both (Blond_Hair and
 * Male, as the BISE paper does). Names compare case-insensitively; an unknown one is an error listing the
 * attribute file's names, at the line that holds them.
 */
import { DatasetError } from '../errors';
import type { CsvColumnMapping } from '../csv-columns';
import { AttributeList } from './attribute-list';
import { ImageFolderLayout } from './image-folder';

/** A label column: the class folder, or attribute `index` of the file. */
export interface LabelRole {
  /** As the attribute file spells it ('class' for the class folder). */
  readonly name: string;
  readonly attribute: number | 'class';
}

export interface AttributeRoles {
  readonly target: LabelRole;
  readonly biases: readonly LabelRole[];
}

/** The class folder's name among the columns ('class', unless an attribute has that name). */
export function classColumnName(names: readonly string[]): string {
  return names.some((n) => n.toLowerCase() === 'class') ? 'class_folder' : 'class';
}

export function chooseRoles(list: AttributeList, layout: ImageFolderLayout, mapping: CsvColumnMapping = {}): AttributeRoles {
  const fail = (detail: string): never => {
    throw new DatasetError(list.file, detail, list.headerLine);
  };
  const classes = layout.kind === 'classes';
  const className = classColumnName(list.names);
  const offered = `${list.names.join(', ')}${classes ? ` or ${className} (the class folder)` : ''}`;
  if (mapping.path !== undefined && mapping.path.trim().toLowerCase() !== list.fileColumn.toLowerCase()) {
    fail(`the images are named by the file-name column "${list.fileColumn}", so the image path column cannot be "${mapping.path}"`);
  }
  const find = (name: string, role: string): LabelRole => {
    const wanted = name.trim().toLowerCase();
    if (classes && wanted === className) return { name: className, attribute: 'class' };
    const index = list.names.findIndex((n) => n.toLowerCase() === wanted);
    if (index < 0) fail(`no attribute "${name}" for the ${role}: expected one of ${offered}`);
    return { name: list.names[index], attribute: index };
  };
  let target: LabelRole;
  if (mapping.target !== undefined) target = find(mapping.target, 'target');
  else if (classes) target = { name: className, attribute: 'class' };
  else target = fail(`choose the target attribute (--target-column, or the form's target column): one of ${offered}`);
  let biases: LabelRole[];
  if (mapping.bias !== undefined) {
    if (mapping.bias.length === 0) fail(`choose at least one bias attribute: one of ${offered}`);
    biases = mapping.bias.map((name) => find(name, 'bias'));
  } else if (list.names.length === 1 && target.attribute !== 0) {
    biases = [{ name: list.names[0], attribute: 0 }];
  } else {
    biases = fail(`choose the bias attribute(s) (--bias-column, or the form's bias column): one or more of ${offered}`);
  }
  const chosen = [target, ...biases];
  chosen.forEach((role, i) => {
    const again = chosen.findIndex((other, j) => j > i && other.attribute === role.attribute);
    if (again >= 0) fail(`"${role.name}" is chosen as both the ${i === 0 ? 'target' : 'bias'} and a bias: each role needs its own attribute`);
  });
  return { target, biases };
}
