/**
 * XML as a small element tree (document order kept, namespaces dropped, every value a
 * string), over fast-xml-parser. Invalid XML is a 'malformed' ExchangeError.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformed } from './errors.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated direct text, trimmed. */
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

type RawNode = Record<string, unknown>;

function toElement(node: RawNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (name === undefined) return undefined;
  const rawChildren = (node[name] as RawNode[] | undefined) ?? [];
  const attrs = (node[':@'] as Record<string, string> | undefined) ?? {};
  const children: XmlElement[] = [];
  let text = '';
  for (const c of rawChildren) {
    if ('#text' in c) text += String(c['#text']);
    else {
      const el = toElement(c);
      if (el) children.push(el);
    }
  }
  return { name, attrs, children, text: text.trim() };
}

/** The root element of a document. */
export function parseXml(xml: string, what: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw malformed(`${what}: invalid XML (${valid.err.msg})`);
  const nodes = parser.parse(xml) as RawNode[];
  const root = nodes.map(toElement).find((e) => e !== undefined);
  if (!root) throw malformed(`${what}: empty XML document`);
  return root;
}

export const childrenNamed = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => c.name === name);
export const childNamed = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => c.name === name);

/** Minimal escaping for building request bodies. */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
