/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

/** A node of a document to write: an element with attributes and children, or text. */
export type XmlNode = string | number | XmlElement;
export interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  children?: XmlNode[];
}

export function el(
  name: string,
  attrs: Record<string, string> | XmlNode[] = {},
  children: XmlNode[] = [],
): XmlElement {
  return Array.isArray(attrs) ? { name, children: attrs } : { name, attrs, children };
}

/** Writes a document, indented; every text and attribute value is escaped here and nowhere else. */
export function renderXml(root: XmlElement, prolog = '<?xml version="1.0" encoding="UTF-8"?>\n'): string {
  const render = (n: XmlNode, indent: string): string => {
    if (typeof n !== 'object') return indent + escapeXml(String(n));
    const attrs = Object.entries(n.attrs ?? {})
      .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
      .join('');
    const kids = n.children ?? [];
    if (!kids.length) return `${indent}<${n.name}${attrs}/>`;
    if (kids.length === 1 && typeof kids[0] !== 'object')
      return `${indent}<${n.name}${attrs}>${escapeXml(String(kids[0]))}</${n.name}>`;
    return `${indent}<${n.name}${attrs}>\n${kids.map((k) => render(k, indent + '  ')).join('\n')}\n${indent}</${n.name}>`;
  };
  return prolog + render(root, '') + '\n';
}
