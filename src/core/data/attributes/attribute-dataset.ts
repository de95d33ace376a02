/**
 * An image dataset kept as people keep it: a folder of images with an attribute file (CelebA: img_align_celeba/,
 * list_attr_celeba.txt and list_eval_partition.txt), or one sub-folder per class with an attribute file giving
 * the bias. The attribute file is joined with the images by file name and becomes the table of image rows a CSV
 * gives (image path, target, bias…, split), which the image-CSV reader then plans, reads and streams: the same
 * checks, resizing, normalisation, seeded stratified split without a partition file, and cache.
 */
import { basename } from 'node:path';
import { CsvRecord } from '../csv';
import { DatasetError } from '../errors';
import { ImageCsvOptions, ImageCsvPlan, planImageTable } from '../image-csv';
import { locateAttributeFiles } from './attribute-files';
import { joinImages, partitionSplits } from './attribute-join';
import { readAttributeList } from './attribute-list';
import { LabelRole, chooseRoles } from './attribute-roles';
import { describeLayout, findImageLayout, listLayoutImages } from './image-folder';
import { readPartitionList } from './partition-list';

/**
 * `location` is the attribute file or its folder; options.columns names the target and bias attributes (`target`,
 * `bias`), as for a CSV.
 */
export function planImageAttributes(location: string, options: ImageCsvOptions = {}): ImageCsvPlan {
  const files = locateAttributeFiles(location);
  const list = readAttributeList(files.attributes);
  const layout = findImageLayout(files.root);
  if (layout === null) {
    throw new DatasetError(files.root, 'no PNG or JPEG images in this folder or its sub-folders: expected the images (CelebA\'s img_align_celeba/) or one sub-folder of images per class next to the attribute file');
  }
  const roles = chooseRoles(list, layout, options.columns);
  const images = listLayoutImages(files.root, layout);
  const joined = joinImages(list, images, layout);
  const splits = files.partition === null ? null : partitionSplits(list, readPartitionList(files.partition));

  const k = list.names.length;
  const valueOf = (role: LabelRole, row: number): string => String(role.attribute === 'class' ? images[joined[row]].folder : list.values[row * k + role.attribute]);
  const chosen = [roles.target, ...roles.biases];
  const header: CsvRecord = { fields: [list.fileColumn, ...chosen.map((r) => r.name), ...(splits ? ['split'] : [])], line: list.headerLine };
  const records: CsvRecord[] = [header];
  list.entries.forEach((_, row) => {
    records.push({ fields: [images[joined[row]].path, ...chosen.map((r) => valueOf(r, row)), ...(splits ? [splits[row]] : [])], line: list.lines[row] });
  });
  const classesOf = (role: LabelRole): number => (role.attribute === 'class' ? layout.folders.length : 2);
  const valueNames = (role: LabelRole): readonly string[] => (role.attribute === 'class' ? layout.folders : [`not ${role.name}`, role.name]);
  return planImageTable(
    {
      file: files.attributes,
      root: files.root,
      records,
      meta: {
        format: 'image-attributes',
        attributes: files.attributes,
        partition: files.partition,
        layout: layout.kind,
        images: describeLayout(layout),
        target: roles.target.name,
        classNames: valueNames(roles.target),
        biasNames: roles.biases.map((b) => b.name),
        biasValueNames: roles.biases.map(valueNames),
        ignoredColumns: list.names.filter((_, i) => !chosen.some((r) => r.attribute === i)),
      },
    },
    {
      ...options,
      name: options.name ?? basename(files.root),
      columns: { path: list.fileColumn, target: roles.target.name, bias: roles.biases.map((b) => b.name) },
      numClasses: options.numClasses ?? classesOf(roles.target),
      biasClasses: options.biasClasses ?? roles.biases.map(classesOf),
    },
  );
}
