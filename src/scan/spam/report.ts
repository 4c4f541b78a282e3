// What a scan does to the message: X-Spam-* headers, subject rewrite, and report_safe wrapping.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SpamResult } from './engine.js';
import { parseHeaderBlock } from './mime.js';
import type { SpamSettings } from './types.js';

export const SA_COMPAT_VERSION = '4.0.1';

const fmt = (n: number): string => n.toFixed(1);

function testsList(r: SpamResult): string {
  return r.hits.map((h) => h.name).join(',') || 'none';
}

/** Expands SpamAssassin template tags (_SCORE_, _REQD_, _TESTS_, _YESNO_, ...). */
export function expandTemplate(tpl: string, r: SpamResult): string {
  return tpl.replace(
    /_(SCORE|REQD|TESTS|TESTSSCORES|YESNO|YESNOCAPS|AUTOLEARN|VERSION|SUBVERSION|HOSTNAME|BAYES|HITS|STARS)(?:\(([^)]*)\))?_/g,
    (all, tag: string, arg?: string) => {
      switch (tag) {
        case 'SCORE':
        case 'HITS':
          return fmt(r.score);
        case 'REQD':
          return fmt(r.required);
        case 'TESTS':
          return testsList(r);
        case 'TESTSSCORES':
          return r.hits.map((h) => `${h.name}=${h.score}`).join(',') || 'none';
        case 'YESNO':
          return r.isSpam ? 'Yes' : 'No';
        case 'YESNOCAPS':
          return r.isSpam ? 'YES' : 'NO';
        case 'AUTOLEARN':
          return r.autolearn ?? 'disabled';
        case 'VERSION':
          return SA_COMPAT_VERSION;
        case 'SUBVERSION':
          return 'mailstead';
        case 'HOSTNAME':
          return hostname();
        case 'BAYES':
          return r.bayes === undefined ? '0.5' : r.bayes.toFixed(4);
        case 'STARS':
          return (arg || '*').repeat(Math.min(50, Math.max(0, Math.floor(r.score))));
        default:
          return all;
      }
    },
  );
}

/** Folds a header value at commas/spaces to stay under 78 columns, continuation lines tab-indented. */
export function wrapHeader(name: string, value: string): string {
  const words = value.split(/(?<=,)|(?= )/);
  const lines: string[] = [];
  let cur = `${name}: `;
  for (const w of words) {
    if (cur.length + w.length > 78 && cur.trim().length > name.length + 1) {
      lines.push(cur.trimEnd());
      cur = '\t' + w.trimStart();
    } else cur += w;
  }
  lines.push(cur);
  return lines.join('\n');
}

/** The X-Spam-* header lines SpamAssassin adds by default, plus add_header extras. */
export function spamHeaders(r: SpamResult, s: SpamSettings): string[] {
  const out: string[] = [];
  const configured = new Set(s.addHeaders.map((h) => h.name.toLowerCase()));
  if (r.isSpam && !configured.has('flag')) out.push('X-Spam-Flag: YES');
  if (!configured.has('score')) out.push(`X-Spam-Score: ${fmt(r.score)}`);
  if (!configured.has('level')) out.push(`X-Spam-Level: ${expandTemplate('_STARS(*)_', r)}`);
  if (!configured.has('status'))
    out.push(
      wrapHeader(
        'X-Spam-Status',
        `${r.isSpam ? 'Yes' : 'No'}, score=${fmt(r.score)} required=${fmt(r.required)} tests=${testsList(r)} autolearn=${r.autolearn ?? 'disabled'} version=${SA_COMPAT_VERSION}`,
      ),
    );
  for (const h of s.addHeaders)
    if (h.when === 'all' || (h.when === 'spam') === r.isSpam)
      out.push(wrapHeader(`X-Spam-${h.name}`, expandTemplate(h.value, r)));
  return out;
}

/** The human-readable report (as in the report_safe body and `spamassassin -t`). */
export function reportText(r: SpamResult): string {
  const rows = [...r.hits]
    .sort((a, b) => b.score - a.score)
    .map((h) => `${h.score.toFixed(1).padStart(4)} ${h.name.padEnd(22)} ${h.description}`);
  return [
    `Content analysis details:   (${fmt(r.score)} points, ${fmt(r.required)} required)`,
    '',
    ' pts rule name              description',
    '---- ---------------------- --------------------------------------------------',
    ...rows,
    '',
  ].join('\n');
}

/** Rewrites a raw message per the result: headers always, subject and report_safe wrapping only for spam. */
export function applyResult(raw: Buffer, r: SpamResult, s: SpamSettings): Buffer {
  const text = raw.toString('latin1');
  const { headers, bodyStart } = parseHeaderBlock(text, new Set(), true);
  const eol = /\r\n/.test(text.slice(0, 2000)) ? '\r\n' : '\n';
  const kept = headers.filter((h) => !/^x-spam-/i.test(h.name));
  if (r.isSpam)
    for (const [which, tpl] of s.rewriteHeader) {
      const h = kept.find((x) => x.name.toLowerCase() === which);
      const tag = expandTemplate(tpl, r);
      if (which === 'subject') {
        if (h) h.raw = `${tag} ${h.raw}`;
        else kept.push({ name: 'Subject', raw: tag });
      } else if (h) h.raw = `${h.raw} (${tag})`;
    }
  const body = text.slice(bodyStart);
  const added = spamHeaders(r, s);
  const lines = (hs: { name: string; raw: string }[]): string =>
    hs.map((h) => `${h.name}: ${h.raw}`).join('\n');
  if (!r.isSpam || s.reportSafe === 0) {
    const out = [lines(kept), ...added].join('\n').replace(/\r?\n/g, eol) + eol + eol + body;
    return Buffer.from(out, 'latin1');
  }
  const boundary = `----------=_${randomBytes(8).toString('hex')}`;
  // The virus stage's unscanned mark stays outside, where Sieve's virustest looks for it.
  const copy = kept.filter((h) =>
    /^(?:from|to|cc|subject|date|message-id|return-path|received|reply-to|x-mailstead-virus-scan)$/i.test(
      h.name,
    ),
  );
  const original = Buffer.from(raw).toString('latin1');
  const outer = [
    lines(copy),
    ...added,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Disposition: inline',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Spam detection software has identified this incoming email as possible spam.',
    'The original message has been attached to this so you can view it or label',
    'similar future email.',
    '',
    reportText(r),
    '',
    `--${boundary}`,
    s.reportSafe === 1
      ? 'Content-Type: message/rfc822; x-spam-type=original'
      : 'Content-Type: text/plain; charset=iso-8859-1; x-spam-type=original',
    'Content-Description: original message before SpamAssassin',
    'Content-Disposition: attachment',
    'Content-Transfer-Encoding: 8bit',
    '',
  ]
    .join('\n')
    .replace(/\r?\n/g, eol);
  return Buffer.from(
    outer + original + (original.endsWith('\n') ? '' : eol) + eol + `--${boundary}--` + eol,
    'latin1',
  );
}
