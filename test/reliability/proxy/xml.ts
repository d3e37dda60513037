/**
 * Just enough XML to change one element's text in place: the element tree with source offsets,
 * so a rewrite touches exactly the status of the matching resource and leaves every other byte
 * of moto's answer as it was (nested elements may share the status element's name).
 */

export interface XmlElement {
  name: string;
  /** Offsets of the text between the start and the end tag (equal for `<a/>`). */
  contentStart: number;
  contentEnd: number;
  /** `<a/>`: no text to replace in place. */
  selfClosing: boolean;
  children: XmlElement[];
}

const TOKEN = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)(?:\s[^>]*?)?(\/?)>/g;

/** The top-level elements; throws on mismatched tags (not XML we should be editing). */
export function parseXml(xml: string): XmlElement[] {
  const root: XmlElement = { name: "", contentStart: 0, contentEnd: xml.length, selfClosing: false, children: [] };
  const open: XmlElement[] = [root];
  for (const token of xml.matchAll(TOKEN)) {
    const [text, closing, name, selfClosing] = token;
    if (name === undefined) continue; // declaration, comment, CDATA
    const at = token.index;
    const parent = open.at(-1)!;
    if (closing === "/") {
      if (parent.name !== name) throw new Error(`unexpected </${name}> at ${at}`);
      parent.contentEnd = at;
      open.pop();
    } else {
      const element: XmlElement = { name, contentStart: at + text.length, contentEnd: at + text.length, selfClosing: selfClosing === "/", children: [] };
      parent.children.push(element);
      if (selfClosing !== "/") open.push(element);
    }
  }
  if (open.length !== 1) throw new Error(`unclosed <${open.at(-1)!.name}>`);
  return root.children;
}

/** Every element (any depth) whose name is in `names`, in document order. */
export function findElements(roots: readonly XmlElement[], names: ReadonlySet<string>): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (element: XmlElement) => {
    if (names.has(element.name)) found.push(element);
    element.children.forEach(visit);
  };
  roots.forEach(visit);
  return found;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name]!);
}

export function escapeXmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** The text of a direct child, unescaped. */
export function childText(xml: string, element: XmlElement, name: string): string | undefined {
  const found = child(element, name);
  return found && unescapeXml(xml.slice(found.contentStart, found.contentEnd));
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (any order). */
export function applyEdits(xml: string, edits: readonly Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((text, e) => text.slice(0, e.start) + e.text + text.slice(e.end), xml);
}
