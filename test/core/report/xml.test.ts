/** The test-side XML checker must itself reject what a browser would refuse to render. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, textContent } from './xml';

test('parseXml reads elements, attributes, references and comments', () => {
  const root = parseXml('<?xml version="1.0"?>\n<!-- c --><svg a="1" b=\'x &amp; y\'><title>&lt;t&gt; &#65;&#x42;</title><g/></svg>\n');
  assert.equal(root.name, 'svg');
  assert.deepEqual(root.attributes, { a: '1', b: 'x & y' });
  assert.equal(textContent(root), '<t> AB');
});

test('parseXml rejects malformed documents', () => {
  const bad = [
    '<svg>',
    '<svg></g>',
    '<svg><g></svg></g>',
    '<svg>a < b</svg>',
    '<svg>a & b</svg>',
    '<svg>&nbsp;</svg>',
    '<svg a=1/>',
    '<svg a="1" a="2"/>',
    '<svg a="<"/>',
    '<svg a="1"b="2"/>',
    '<svg/><svg/>',
    '<svg/>text',
    '<svg>\u0001</svg>',
    '<svg>&#0;</svg>',
    '<svg><![CDATA[x]]></svg>',
    '',
  ];
  for (const doc of bad) assert.throws(() => parseXml(doc), /not well-formed XML/, JSON.stringify(doc));
});
